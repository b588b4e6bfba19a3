import { kpiHistoryBetween, kpiHistoryOf, kpiRollupsBetween, kpiRollupsOf } from './collections';

describe('KPI rollups and history split by month', () => {
  it('names the month collection of a service day', () => {
    expect(kpiRollupsOf('2026-10-31')).toBe('kpi_rollups_202610');
    expect(kpiHistoryOf('2026-01-01')).toBe('kpi_history_202601');
  });

  it('lists the month collections of a range, across a year end', () => {
    expect(kpiRollupsBetween('2026-10-05', '2026-10-31')).toEqual(['kpi_rollups_202610']);
    expect(kpiRollupsBetween('2026-11-20', '2027-02-01')).toEqual([
      'kpi_rollups_202611',
      'kpi_rollups_202612',
      'kpi_rollups_202701',
      'kpi_rollups_202702',
    ]);
    expect(kpiHistoryBetween('2026-12-31', '2027-01-01')).toEqual([
      'kpi_history_202612',
      'kpi_history_202701',
    ]);
  });
});
