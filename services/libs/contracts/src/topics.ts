/** Device protocol v1 topic layout: dwg/v1/{deviceId}/{channel}. */
export const TOPIC_PREFIX = 'dwg/v1';
export const CHANNELS = ['gps', 'badge', 'status'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Device ids double as MQTT usernames and topic levels, so they must not contain MQTT wildcards or separators. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

export function topicFor(deviceId: string, channel: Channel): string {
  return `${TOPIC_PREFIX}/${deviceId}/${channel}`;
}

/** Subscription filter covering every device channel. */
export const ALL_DEVICE_TOPICS = `${TOPIC_PREFIX}/+/+`;

export function sharedSubscription(group: string, filter = ALL_DEVICE_TOPICS): string {
  return `$share/${group}/${filter}`;
}

export interface ParsedTopic {
  deviceId: string;
  channel: Channel;
}

/** Returns null for anything that is not a protocol v1 device topic. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_PREFIX) return null;
  const [, , deviceId, channel] = parts;
  if (!DEVICE_ID_PATTERN.test(deviceId)) return null;
  if (!(CHANNELS as readonly string[]).includes(channel)) return null;
  return { deviceId, channel: channel as Channel };
}
