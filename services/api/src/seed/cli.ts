#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { connectMongo } from '@dwg/persistence';
import { createBrokerAuth } from '../broker-auth';
import { publishDemoKpis } from './demo-kpis';
import { demoGeoJson, DEMO_DEVICE_KEY } from './demo-world';
import { seedDemo } from './seed';

/**
 * node services/api/dist/seed/cli.js --mongo-url <url> --credentials-out <file> [--users-out <file>] [--geojson-out <file>]
 * Broker files follow the same environment as the api (BROKER_AUTH_MODE, MOSQUITTO_*, INGEST_MQTT_*).
 */
export async function main(argv: string[]): Promise<number> {
  const args = await yargs(argv)
    .scriptName('dwg-seed')
    .option('mongo-url', {
      type: 'string',
      default: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27117/dawuguan',
      describe: 'database to seed',
    })
    .option('credentials-out', {
      type: 'string',
      describe: 'write device credentials for the simulator: {"devices":[{deviceId,kind,secret}]}',
    })
    .option('users-out', {
      type: 'string',
      describe: 'write demo logins: {"users":[{username,password,role,tenant}],"open311_api_key":"…"}',
    })
    .option('geojson-out', {
      type: 'string',
      describe: 'write zones, routes and sites as a GeoJSON FeatureCollection',
    })
    .option('device-key', {
      type: 'string',
      default: process.env.DWG_DEMO_DEVICE_KEY ?? DEMO_DEVICE_KEY,
      describe: 'key the demo device secrets are derived from',
    })
    .option('kpi-history', {
      type: 'boolean',
      default: false,
      describe:
        "publish this month's synthetic task, alarm and work-order history on the worker's queue (KPIs from day one)",
    })
    .option('redis-url', {
      type: 'string',
      default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      describe: 'Redis of the worker queues (with --kpi-history)',
    })
    .option('redis-prefix', {
      type: 'string',
      default: process.env.REDIS_PREFIX ?? 'dwg',
      describe: "Redis key prefix of the worker's queues",
    })
    .option('broker-auth', {
      type: 'string',
      choices: ['mosquitto-file', 'none'],
      default: process.env.BROKER_AUTH_MODE ?? 'none',
      describe: 'mosquitto-file: regenerate the local broker password/ACL files',
    })
    .strict()
    .help()
    .parse();
  const env = process.env;
  if (
    args['broker-auth'] === 'mosquitto-file' &&
    !(env.MOSQUITTO_PASSWD_FILE && env.MOSQUITTO_ACL_FILE && env.INGEST_MQTT_PASSWORD)
  ) {
    process.stderr.write(
      '--broker-auth mosquitto-file needs MOSQUITTO_PASSWD_FILE, MOSQUITTO_ACL_FILE and INGEST_MQTT_PASSWORD in the environment\n',
    );
    return 2;
  }
  const { client, db } = await connectMongo(args['mongo-url'], 'seed');
  try {
    const broker = createBrokerAuth(db, {
      BROKER_AUTH_MODE: args['broker-auth'],
      MOSQUITTO_PASSWD_FILE: env.MOSQUITTO_PASSWD_FILE ?? '',
      MOSQUITTO_ACL_FILE: env.MOSQUITTO_ACL_FILE ?? '',
      MOSQUITTO_PID_FILE: env.MOSQUITTO_PID_FILE ?? '',
      INGEST_MQTT_USERNAME: env.INGEST_MQTT_USERNAME ?? 'dwg-ingest',
      INGEST_MQTT_PASSWORD: env.INGEST_MQTT_PASSWORD ?? '',
    });
    const res = await seedDemo(db, broker.sync, { deviceKey: args['device-key'] });
    const write = (path: string, body: unknown, mode?: number) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(body, null, 2) + '\n', mode ? { mode } : {});
    };
    if (args['credentials-out']) write(args['credentials-out'], { devices: res.devices }, 0o600);
    if (args['users-out']) write(args['users-out'], { users: res.users, open311_api_key: res.open311ApiKey });
    if (args['geojson-out']) write(args['geojson-out'], demoGeoJson(res.data));
    const kpiEvents = args['kpi-history']
      ? await publishDemoKpis(
          db,
          { url: args['redis-url'], prefix: args['redis-prefix'] },
          res.data,
          new Date(),
        )
      : 0;
    process.stdout.write(
      JSON.stringify({ inserted: res.inserted, existing: res.existing, kpiEvents }) + '\n',
    );
    return 0;
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main(hideBin(process.argv)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`seed failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
