import { readFile, writeFile } from 'node:fs/promises';
import { DEVICE_KINDS, type DeviceKind } from '@dwg/contracts';
import { DeviceRegistry } from '@dwg/device-registry';
import { connectMongo } from '@dwg/persistence';
import type { DeviceCredential } from './simulator';

/** Shape of a credentials file: `{ "devices": [{ "deviceId", "kind", "secret" }] }`. */
export interface CredentialsFile {
  devices: DeviceCredential[];
}

export async function readCredentials(path: string): Promise<DeviceCredential[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read credentials from ${path}: ${(e as Error).message}`, { cause: e });
  }
  const devices = (parsed as Partial<CredentialsFile> | null)?.devices;
  if (!Array.isArray(devices))
    throw new Error(`${path}: expected { "devices": [{ "deviceId", "kind", "secret" }] }`);
  return devices.map((d: unknown, i) => {
    const c = d as Partial<DeviceCredential> | null;
    if (
      typeof c?.deviceId !== 'string' ||
      typeof c.secret !== 'string' ||
      !(DEVICE_KINDS as readonly string[]).includes(c.kind as string)
    )
      throw new Error(`${path}: devices[${i}] needs deviceId, kind (gps or badge) and secret`);
    return { deviceId: c.deviceId, kind: c.kind as DeviceKind, secret: c.secret };
  });
}

/** Writes the file readable by the owner only: it holds plain secrets. */
export async function writeCredentials(path: string, devices: DeviceCredential[]): Promise<void> {
  const body: CredentialsFile = { devices };
  await writeFile(path, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
}

/** The first `vehicles` GPS devices and the first `badges` badges of the list, in that order. */
export function selectDevices(all: DeviceCredential[], vehicles: number, badges: number): DeviceCredential[] {
  const gps = all.filter((d) => d.kind === 'gps').slice(0, vehicles);
  const bdg = all.filter((d) => d.kind === 'badge').slice(0, badges);
  if (gps.length < vehicles || bdg.length < badges)
    throw new Error(
      `asked for ${vehicles} vehicles and ${badges} badges, the credentials hold ${gps.length} and ${bdg.length} of them`,
    );
  return [...gps, ...bdg];
}

/** Simulator device ids: sim-veh-0001…, sim-bdg-0001… */
export function simDeviceIds(vehicles: number, badges: number): { deviceId: string; kind: DeviceKind }[] {
  const id = (prefix: string, i: number) => `${prefix}-${String(i + 1).padStart(4, '0')}`;
  return [
    ...Array.from({ length: vehicles }, (_, i) => ({ deviceId: id('sim-veh', i), kind: 'gps' as const })),
    ...Array.from({ length: badges }, (_, i) => ({ deviceId: id('sim-bdg', i), kind: 'badge' as const })),
  ];
}

/**
 * Registers (or re-issues) the simulator's devices in the device registry and returns their fresh secrets.
 * No broker sync is attached: a local Mosquitto only learns the new secrets when its password file is regenerated.
 */
export async function provisionSimDevices(
  mongoUrl: string,
  vehicles: number,
  badges: number,
): Promise<DeviceCredential[]> {
  const { client, db } = await connectMongo(mongoUrl, 'device-sim');
  try {
    return await new DeviceRegistry(db).provision(simDeviceIds(vehicles, badges));
  } finally {
    await client.close();
  }
}
