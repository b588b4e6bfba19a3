import { liveItemsOf, mergeLive, normaliseLive } from './live';
import type { LiveDevice } from './status';

const item = {
  id: 'veh-0001',
  deviceId: 'veh-0001',
  kind: 'gps',
  subject: { type: 'vehicle', id: 'v1', name: '粤A00001' },
  position: { lng: 113.27, lat: 23.16 },
  speed: 18,
  battery: 87,
  fixAt: '2026-11-27T00:00:10.000Z',
  status: 'working',
  taskId: 't-1',
  openAlarms: 0,
};

describe('live items', () => {
  it('reads a snapshot item', () => {
    const n = normaliseLive(item)!;
    expect(n).toMatchObject({
      id: 'veh-0001',
      lng: 113.27,
      lat: 23.16,
      speedKmh: 18,
      battery: 87,
      status: 'working',
      onTask: true,
      alarms: 0,
      at: Date.parse('2026-11-27T00:00:10.000Z'),
    });
    expect(normaliseLive({ lng: 1, lat: 2 })).toBeNull();
    expect(
      normaliseLive({ deviceId: 'b', loc: { coordinates: [113.1, 23.1] }, ts: 1_700_000_000 }),
    ).toMatchObject({
      lng: 113.1,
      lat: 23.1,
      at: 1_700_000_000_000,
    });
  });

  it('finds the items of snapshot and stream bodies', () => {
    expect(liveItemsOf([item])).toHaveLength(1);
    expect(liveItemsOf({ items: [item, item] })).toHaveLength(2);
    expect(liveItemsOf(item)).toHaveLength(1);
    expect(liveItemsOf('ping')).toHaveLength(0);
  });

  it('moves devices in place and ignores positions older than the one held', () => {
    const state = new Map<string, LiveDevice>();
    expect(mergeLive(state, [item])).toEqual(['veh-0001']);
    mergeLive(state, [
      { deviceId: 'veh-0001', position: { lng: 113.28, lat: 23.17 }, fixAt: '2026-11-27T00:00:20.000Z' },
    ]);
    expect(state.get('veh-0001')).toMatchObject({ lng: 113.28, lat: 23.17, battery: 87 });
    mergeLive(state, [
      {
        deviceId: 'veh-0001',
        position: { lng: 1, lat: 1 },
        fixAt: '2026-11-27T00:00:15.000Z',
        openAlarms: 1,
      },
    ]);
    expect(state.get('veh-0001')).toMatchObject({ lng: 113.28, lat: 23.17, alarms: 1 });
    // A status-only event of an unknown device draws nothing until it has a position.
    expect(mergeLive(state, [{ deviceId: 'bdg-0009', status: 'offline' }])).toEqual([]);
  });

  it("reads the stream's position and status events", () => {
    const state = new Map<string, LiveDevice>();
    mergeLive(state, [item]);
    const position = {
      positions: [
        {
          deviceId: 'veh-0001',
          kind: 'gps',
          ts: Date.parse('2026-11-27T00:01:00.000Z'),
          receivedAt: Date.parse('2026-11-27T00:01:01.000Z'),
          lng: 113.29,
          lat: 23.18,
          spd: 0,
          hdg: 90,
          bat: 80,
          contractId: 'ct-1',
          subjectId: 'v1',
          openAlarms: 2,
          status: 'alarm',
          publishedAt: Date.parse('2026-11-27T00:01:01.100Z'),
        },
      ],
    };
    expect(mergeLive(state, liveItemsOf(position))).toEqual(['veh-0001']);
    expect(state.get('veh-0001')).toMatchObject({
      lng: 113.29,
      lat: 23.18,
      speedKmh: 0,
      heading: 90,
      battery: 80,
      alarms: 2,
      status: 'alarm',
      at: Date.parse('2026-11-27T00:01:00.000Z'),
      subject: { name: '粤A00001' },
    });
    const status = {
      statuses: [{ deviceId: 'veh-0001', online: false, at: Date.parse('2026-11-27T00:09:00Z') }],
    };
    mergeLive(state, liveItemsOf(status));
    // Offline now; the position and its time stay those of the last fix.
    expect(state.get('veh-0001')).toMatchObject({
      status: 'offline',
      lng: 113.29,
      at: Date.parse('2026-11-27T00:01:00.000Z'),
    });
  });
});
