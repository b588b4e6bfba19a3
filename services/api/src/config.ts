import { IsIn, IsInt, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { InfraConfig } from '@dwg/config';

/** API settings; every field is an environment variable of the same name (see docs/api.md). */
export class ApiConfig extends InfraConfig {
  /** HTTP port; 0 picks a free one (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  API_PORT = 3000;

  /** Signs access and refresh tokens. No default: a missing secret stops the process. */
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters (use a long random string)' })
  JWT_SECRET = '';

  @IsInt()
  @Min(30)
  @Max(86_400)
  JWT_ACCESS_TTL_S = 900;

  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  JWT_REFRESH_TTL_S = 7 * 86_400;

  /** Failed logins in a row that lock an account. */
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  /** How long a locked account stays locked. */
  @IsInt()
  @Min(1000)
  LOGIN_LOCK_MS = 15 * 60_000;

  /** bcrypt cost factor of user passwords. */
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 10;

  /** `mosquitto-file`: the api rewrites the local Mosquitto's password/ACL files; `none`: EMQX reads MongoDB. */
  @IsIn(['mosquitto-file', 'none'], { message: 'must be mosquitto-file or none' })
  BROKER_AUTH_MODE = '';

  @ValidateIf((c: ApiConfig) => c.BROKER_AUTH_MODE === 'mosquitto-file')
  @IsString()
  @MinLength(1, { message: 'is required when BROKER_AUTH_MODE=mosquitto-file' })
  MOSQUITTO_PASSWD_FILE = '';

  @ValidateIf((c: ApiConfig) => c.BROKER_AUTH_MODE === 'mosquitto-file')
  @IsString()
  @MinLength(1, { message: 'is required when BROKER_AUTH_MODE=mosquitto-file' })
  MOSQUITTO_ACL_FILE = '';

  @IsString()
  MOSQUITTO_PID_FILE = '';

  /** A TrueType/OpenType font (collection) with Chinese glyphs for PDF reports; empty: look in the usual places. */
  @IsString()
  PDF_FONT_FILE = '';

  /** The broker service account the ingest uses; kept in Mosquitto's files next to the devices. */
  @IsString()
  @MinLength(1)
  INGEST_MQTT_USERNAME = 'dwg-ingest';

  @ValidateIf((c: ApiConfig) => c.BROKER_AUTH_MODE === 'mosquitto-file')
  @IsString()
  @MinLength(1, { message: 'is required when BROKER_AUTH_MODE=mosquitto-file' })
  INGEST_MQTT_PASSWORD = '';

  /**
   * Prefix of every Redis key, shared with ingest and the worker: domain events go on BullMQ queues under
   * `${REDIS_PREFIX}:bull`, and the live stream listens on `${REDIS_PREFIX}:live`.
   */
  @IsString()
  @MinLength(1)
  REDIS_PREFIX = 'dwg';

  /** A result photo or badge track farther than this from a work order's location flags the close-out. */
  @IsInt()
  @Min(1)
  WO_CLOSEOUT_MAX_DISTANCE_M = 150;

  /** Open reports of the same category within this distance are offered as possible duplicates. */
  @IsInt()
  @Min(1)
  WO_DUPLICATE_RADIUS_M = 50;

  /** Largest photo accepted, in bytes. */
  @IsInt()
  @Min(1024)
  WO_PHOTO_MAX_BYTES = 10 * 1024 * 1024;

  /** Allowed browser origins (comma-separated) or `*`. */
  @IsString()
  CORS_ORIGINS = '*';

  /** Live map: a device not heard from for this long is offline. */
  @IsInt()
  @Min(10)
  @Max(86_400)
  LIVE_OFFLINE_AFTER_S = 300;

  /** Live map: at or above this speed (km/h) a device counts as moving (working). */
  @IsInt()
  @Min(0)
  @Max(100)
  LIVE_MOVING_KMH = 3;

  /** How often the live stream reloads its device → tenant map and looks for alarm changes. */
  @IsInt()
  @Min(500)
  @Max(600_000)
  LIVE_REFRESH_MS = 5000;

  /** Comment lines on idle streams, so proxies keep them open and clients notice a dead one. */
  @IsInt()
  @Min(1000)
  @Max(120_000)
  LIVE_HEARTBEAT_MS = 15_000;

  /** Longest window of one track playback request. */
  @IsInt()
  @Min(1)
  @Max(168)
  TRACK_MAX_RANGE_H = 24;

  /** Most fixes one track playback reads; a longer window must be asked for in parts. */
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  TRACK_MAX_POINTS = 100_000;
}
