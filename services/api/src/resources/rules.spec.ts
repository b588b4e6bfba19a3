import { deviceProblems, normalisePlate, userTenantProblems } from './rules';
import { shiftMinutes, shiftTimeProblems } from './shift-rules';

const contract = { startDate: '2025-01-01', endDate: '2025-12-31' };
const shift = { days: [1, 2, 3], start: '06:00', end: '14:00', validFrom: '2025-02-01' };

describe('shift times', () => {
  it('accepts a day shift and an overnight shift', () => {
    expect(shiftTimeProblems(shift, contract)).toEqual([]);
    expect(shiftTimeProblems({ ...shift, start: '22:00', end: '04:00' }, contract)).toEqual([]);
    expect(shiftMinutes('22:00', '04:00')).toBe(360);
  });

  it('refuses shifts that make no sense, saying why', () => {
    expect(shiftTimeProblems({ ...shift, end: '06:00' }, contract)).toEqual([
      'a shift cannot start and end at the same time',
    ]);
    expect(shiftTimeProblems({ ...shift, start: '25:00' }, contract)).toEqual([
      'start "25:00" must be a time HH:mm (00:00-23:59)',
    ]);
    expect(shiftTimeProblems({ ...shift, end: '20:00' }, contract)).toEqual([
      'a shift may last at most 12 hours; 06:00-20:00 lasts 14h00',
    ]);
    expect(shiftTimeProblems({ ...shift, days: [] }, contract)).toContain(
      'days must name at least one weekday (1 = Monday ... 7 = Sunday)',
    );
    expect(shiftTimeProblems({ ...shift, days: [1, 1] }, contract)).toContain(
      'days must not repeat a weekday',
    );
    expect(shiftTimeProblems({ ...shift, validTo: '2025-01-15' }, contract)).toEqual([
      'validTo 2025-01-15 is before validFrom 2025-02-01',
    ]);
    expect(shiftTimeProblems({ ...shift, validFrom: '2024-06-01' }, contract)).toEqual([
      'validFrom 2024-06-01 is outside the contract period 2025-01-01..2025-12-31',
    ]);
    expect(shiftTimeProblems({ ...shift, validFrom: '2025-02-30' }, contract)).toEqual([
      'validFrom "2025-02-30" must be a date YYYY-MM-DD',
    ]);
  });
});

describe('devices', () => {
  it('refuses the broker service account id and malformed ids', () => {
    expect(deviceProblems({ id: 'dwg-ingest', kind: 'gps' }, true)).toEqual([
      'id "dwg-ingest" is reserved for a broker service account',
    ]);
    expect(deviceProblems({ id: 'a/b', kind: 'gps' }, true)[0]).toMatch(/must be 3-64 characters/);
  });

  it('binds gps terminals to vehicles and badges to workers', () => {
    expect(deviceProblems({ id: 'veh-1', kind: 'gps', workerId: 'w' }, true)).toEqual([
      'a gps terminal is bound to a vehicle (vehicleId), not to a worker',
    ]);
    expect(deviceProblems({ id: 'bdg-1', kind: 'badge', workerId: 'w' }, true)).toEqual([]);
  });
});

describe('users and plates', () => {
  it('requires the tenant that fits the role', () => {
    expect(userTenantProblems({ role: 'dispatcher' })).toEqual(['role dispatcher needs operatorId']);
    expect(userTenantProblems({ role: 'gov_reviewer', agencyId: 'a', operatorId: 'o' })).toEqual([
      'role gov_reviewer cannot have operatorId',
    ]);
    expect(userTenantProblems({ role: 'admin', operatorId: 'o' })).toEqual([
      'an admin belongs to no operator or agency',
    ]);
  });

  it('normalises plates so that spacing and case do not make a second vehicle', () => {
    expect(normalisePlate(' 粤a· d1234 ')).toBe('粤A·D1234');
  });
});
