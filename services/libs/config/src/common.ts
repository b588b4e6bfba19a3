import { IsIn, IsString, Matches } from 'class-validator';
import { hostname } from 'node:os';

/** Connection settings every service shares; defaults match the local stack's development ports. */
export class InfraConfig {
  @Matches(/^mongodb(\+srv)?:\/\/.+\/[A-Za-z0-9_-]+/, {
    message: 'must be a mongodb:// URL that names a database',
  })
  MONGO_URL = 'mongodb://127.0.0.1:27117/dawuguan';

  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:16379';

  @Matches(/^(mqtts?|wss?|tcp):\/\//, { message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL' })
  MQTT_URL = 'mqtt://127.0.0.1:18830';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL = 'info';

  @IsString()
  INSTANCE_ID = hostname();
}
