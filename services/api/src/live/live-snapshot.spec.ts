import { assembleSnapshot, countAlarms, currentTasks, type SnapshotInputs } from './live-snapshot';

const now = 1_700_000_000_000;
const o = { offlineAfterMs: 300_000, movingKmh: 3 };
const base = { contractId: 'ct1', operatorId: 'op1', agencyId: 'ag1' };

function inputs(over: Partial<SnapshotInputs> = {}): SnapshotInputs {
  return {
    devices: [
      { _id: 'veh-1', kind: 'gps', vehicleId: 'v1', ...base },
      { _id: 'bdg-1', kind: 'badge', workerId: 'w1', ...base },
      { _id: 'bdg-2', kind: 'badge', ...base },
    ],
    vehicles: new Map([['v1', { _id: 'v1', plate: '粤A·D1234', teamId: 't1' }]]),
    workers: new Map([['w1', { _id: 'w1', name: '张三', teamId: 't2' }]]),
    states: new Map([
      [
        'veh-1',
        {
          _id: 'veh-1',
          lastSeenAt: new Date(now - 5_000),
          last: { ts: new Date(now - 6_000), loc: { coordinates: [113.27, 23.16] }, spd: 15, hdg: 90 },
        },
      ],
      [
        'bdg-1',
        {
          _id: 'bdg-1',
          lastSeenAt: new Date(now - 600_000),
          last: { ts: new Date(now - 600_000), loc: { coordinates: [113.28, 23.17] }, bat: 40 },
        },
      ],
    ]),
    tasks: new Map([['veh-1', { taskId: 'task-9', zoneId: 'z9' }]]),
    alarms: new Map(),
    shiftZones: new Map([['t2', 'z2']]),
    ...over,
  };
}

describe('live snapshot', () => {
  it('joins device, subject, last state, task and shift zone into one row per device', () => {
    const [veh, badge, bare] = assembleSnapshot(inputs(), now, o);
    expect(veh).toEqual({
      id: 'veh-1',
      deviceId: 'veh-1',
      kind: 'gps',
      subject: { type: 'vehicle', id: 'v1', name: '粤A·D1234' },
      contractId: 'ct1',
      zoneId: 'z9',
      teamId: 't1',
      position: { lng: 113.27, lat: 23.16 },
      speed: 15,
      heading: 90,
      battery: null,
      ops: null,
      fixAt: new Date(now - 6_000).toISOString(),
      lastSeenAt: new Date(now - 5_000).toISOString(),
      status: 'working',
      taskId: 'task-9',
      openAlarms: 0,
    });
    expect(badge).toMatchObject({
      subject: { type: 'worker', id: 'w1', name: '张三' },
      zoneId: 'z2',
      teamId: 't2',
      battery: 40,
      status: 'offline',
      taskId: null,
    });
    expect(bare).toMatchObject({
      subject: null,
      position: null,
      lastSeenAt: null,
      status: 'offline',
      zoneId: null,
    });
  });

  it('counts open alarms on the device and on its subject', () => {
    const rows = assembleSnapshot(
      inputs({
        alarms: new Map([
          ['veh-1', 1],
          ['w1', 2],
        ]),
      }),
      now,
      o,
    );
    expect(rows.map((r) => [r.openAlarms, r.status])).toEqual([
      [1, 'alarm'],
      [2, 'alarm'],
      [0, 'offline'],
    ]);
  });
});

describe('tasks and alarms of the worker', () => {
  it('maps each subject to its current task, the latest started winning', () => {
    const m = currentTasks([
      { _id: 'late', windowStart: 2000, subjects: ['veh-1'], zoneId: 'z2' },
      { _id: 'early', id: 'early', windowStart: 1000, subjects: ['veh-1', 'bdg-1'] },
      { _id: 'team', windowStart: 1500, deviceIds: ['bdg-2'], subjectIds: ['w7'] },
    ]);
    expect(m.get('veh-1')).toEqual({ taskId: 'late', zoneId: 'z2' });
    expect(m.get('bdg-1')).toEqual({ taskId: 'early', zoneId: null });
    expect(m.get('bdg-2')?.taskId).toBe('team');
    expect(m.get('w7')?.taskId).toBe('team');
  });

  it('counts an alarm once: on its device, else on its vehicle or worker', () => {
    const m = countAlarms([
      { deviceId: 'veh-1', subjectKind: 'vehicle', subjectId: 'v1' },
      { deviceId: 'veh-1', subjectKind: 'vehicle', subjectId: 'v1' },
      { deviceId: null, subjectKind: 'worker', subjectId: 'w1' },
      { deviceId: null, subjectKind: 'site', subjectId: 's1' },
    ]);
    expect([...m]).toEqual([
      ['veh-1', 2],
      ['w1', 1],
    ]);
  });
});
