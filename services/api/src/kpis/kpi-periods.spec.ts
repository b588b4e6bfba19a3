import { aggregate, monthRange, parseRange, periodOf, rankZones, serviceDay } from './kpi-periods';

describe('KPI periods', () => {
  it('buckets days into ISO weeks (Monday) and months', () => {
    expect(periodOf('2026-10-11', 'week')).toBe('2026-10-05'); // Sunday → its Monday
    expect(periodOf('2026-10-05', 'week')).toBe('2026-10-05');
    expect(periodOf('2026-10-31', 'month')).toBe('2026-10');
  });

  it('knows month lengths and the Shanghai service day', () => {
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(serviceDay(new Date('2026-10-05T16:30:00Z'))).toBe('2026-10-06');
  });

  it('refuses bad or too long ranges with what to fix', () => {
    expect(() => parseRange({ from: '2026-02-30', to: '2026-03-01' })).toThrow('from must be');
    expect(() => parseRange({ from: '2024-01-01', to: '2026-01-01' })).toThrow('at most 366');
    expect(() => parseRange({ month: '2026-13' })).toThrow('month must be YYYY-MM');
  });

  it('sums counters before dividing: a rate of a period is not the mean of daily rates', () => {
    const rows = [
      { zoneId: 'a', serviceLine: 'sanitation', day: '2026-10-05', c: { postShifts: 10, postAttended: 8 } },
      { zoneId: 'a', serviceLine: 'sanitation', day: '2026-10-06', c: { postShifts: 2, postAttended: 2 } },
    ];
    const { total, series } = aggregate(rows, 'day');
    expect(series.map((s) => s.rates.attendanceRate)).toEqual([0.8, 1]);
    expect(total.rates.attendanceRate).toBe(0.8333); // 10 / 12, not 0.9
  });

  it('ranks zones by a rate with empty zones last', () => {
    const rows = [
      { zoneId: 'a', serviceLine: 'sanitation', day: '2026-10-05', c: { postShifts: 10, postAttended: 8 } },
      { zoneId: 'b', serviceLine: 'sanitation', day: '2026-10-05', c: { postShifts: 4, postAttended: 4 } },
      { zoneId: 'c', serviceLine: 'sanitation', day: '2026-10-05', c: { woReceived: 1 } },
    ];
    expect(rankZones(rows, 'attendanceRate', 'desc').map((z) => z.zoneId)).toEqual(['b', 'a', 'c']);
    expect(rankZones(rows, 'attendanceRate', 'asc').map((z) => z.zoneId)).toEqual(['a', 'b', 'c']);
  });
});
