import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentials, selectDevices, simDeviceIds, writeCredentials } from './credentials';

describe('credentials', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'device-sim-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names simulator devices sim-veh-0001… and sim-bdg-0001…', () => {
    expect(simDeviceIds(2, 1)).toEqual([
      { deviceId: 'sim-veh-0001', kind: 'gps' },
      { deviceId: 'sim-veh-0002', kind: 'gps' },
      { deviceId: 'sim-bdg-0001', kind: 'badge' },
    ]);
  });

  it('round-trips through a file only its owner can read', async () => {
    const path = join(dir, 'creds.json');
    const devices = simDeviceIds(2, 2).map((d) => ({ ...d, secret: `secret-${d.deviceId}` }));
    await writeCredentials(path, devices);
    expect((await stat(path)).mode & 0o077).toBe(0);
    expect(await readCredentials(path)).toEqual(devices);
  });

  it('takes the first N vehicles and M badges, and says when there are not enough', () => {
    const all = [
      { deviceId: 'b1', kind: 'badge' as const, secret: 'x' },
      { deviceId: 'v1', kind: 'gps' as const, secret: 'x' },
      { deviceId: 'v2', kind: 'gps' as const, secret: 'x' },
      { deviceId: 'b2', kind: 'badge' as const, secret: 'x' },
    ];
    expect(selectDevices(all, 1, 2).map((d) => d.deviceId)).toEqual(['v1', 'b1', 'b2']);
    expect(() => selectDevices(all, 3, 0)).toThrow(
      'asked for 3 vehicles and 0 badges, the credentials hold 2 and 0 of them',
    );
  });

  it('rejects a file without the expected shape', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ devices: [{ deviceId: 'v1', kind: 'car', secret: 'x' }] }));
    await expect(readCredentials(path)).rejects.toThrow(
      'devices[0] needs deviceId, kind (gps or badge) and secret',
    );
    await writeFile(path, '[]');
    await expect(readCredentials(path)).rejects.toThrow(/expected \{ "devices"/);
  });
});
