import { DEFAULT_CALENDAR, type AlarmChanged } from '@dwg/contracts';
import { alarmOrderId, buildAlarmOrder, opensWorkOrder } from './alarm-orders';

const alarm = {
  alarmId: 'al-1',
  rev: 1,
  type: 'sos',
  status: 'open',
  tenantId: 'op-1',
  contractId: 'c1',
  zoneId: 'grid-1',
  serviceLine: 'sanitation',
  day: '2026-03-02',
  deviceId: 'badge-1',
  subjectKind: 'worker',
  subjectId: 'w1',
  taskId: null,
  at: [113.26, 23.15],
  openedAt: '2026-03-02T01:00:00.000Z',
  closedAt: null,
  message: 'SOS pressed',
  changedAt: '2026-03-02T01:00:00.000Z',
} as AlarmChanged;

describe('work orders from alarms', () => {
  it('opens orders for SOS, missed routes and overflowing bins only', () => {
    expect(opensWorkOrder(alarm)).toBe(true);
    expect(opensWorkOrder({ ...alarm, type: 'overspeed' })).toBe(false);
    expect(opensWorkOrder({ ...alarm, status: 'closed' })).toBe(false);
    expect(alarmOrderId('al-1')).toBe('wo-alarm-al-1');
  });
  it('routes an SOS to a team of the alarm service line with the category deadlines', () => {
    const o = buildAlarmOrder(alarm, {
      contract: { id: 'c1', operatorId: 'op-1', agencyId: 'ag-1', serviceLines: ['sanitation'] },
      zoneChain: ['grid-1', 'street-1'],
      zoneCentre: null,
      rules: [],
      teams: [{ id: 't1', serviceLine: 'sanitation' }],
      calendar: { ...DEFAULT_CALENDAR, start: '00:00', end: '24:00' },
      now: new Date('2026-03-02T01:00:00.000Z'),
    });
    expect(o).toMatchObject({
      _id: 'wo-alarm-al-1',
      category: 'sos',
      state: 'dispatched',
      teamId: 't1',
      alarmId: 'al-1',
      location: { lng: 113.26, lat: 23.15 },
      dueAt: '2026-03-02T01:15:00.000Z',
      redDueAt: '2026-03-02T01:30:00.000Z',
      source: 'alarm',
    });
  });
});
