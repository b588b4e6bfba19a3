import type { Db } from 'mongodb';
import { ALL_DEVICE_TOPICS, sharedSubscription } from '@dwg/contracts';
import { DeviceRegistry, MosquittoFileAuth } from '@dwg/device-registry';

export interface BrokerAuthSettings {
  BROKER_AUTH_MODE: string;
  MOSQUITTO_PASSWD_FILE: string;
  MOSQUITTO_ACL_FILE: string;
  MOSQUITTO_PID_FILE: string;
  INGEST_MQTT_USERNAME: string;
  INGEST_MQTT_PASSWORD: string;
}

/**
 * The device registry the api writes through. With the local Mosquitto (`mosquitto-file`) every change rewrites
 * its password and ACL files (devices plus the ingest service account) and signals it to reload; with EMQX
 * (`none`) the broker reads the devices collection itself.
 */
export function createDeviceRegistry(db: Db, c: BrokerAuthSettings): DeviceRegistry {
  return createBrokerAuth(db, c).registry;
}

/** The registry and a way to regenerate the broker's files after writing devices in bulk (the seed). */
export function createBrokerAuth(
  db: Db,
  c: BrokerAuthSettings,
): { registry: DeviceRegistry; sync(): Promise<void> } {
  if (c.BROKER_AUTH_MODE !== 'mosquitto-file')
    return { registry: new DeviceRegistry(db, null), sync: async () => undefined };
  const auth: MosquittoFileAuth = new MosquittoFileAuth((): DeviceRegistry => registry, {
    passwordFile: c.MOSQUITTO_PASSWD_FILE,
    aclFile: c.MOSQUITTO_ACL_FILE,
    pidFile: c.MOSQUITTO_PID_FILE || undefined,
    serviceAccounts: [
      {
        username: c.INGEST_MQTT_USERNAME,
        password: c.INGEST_MQTT_PASSWORD,
        read: [ALL_DEVICE_TOPICS, sharedSubscription('+')],
      },
    ],
  });
  const registry: DeviceRegistry = new DeviceRegistry(db, auth);
  return { registry, sync: () => auth.sync() };
}
