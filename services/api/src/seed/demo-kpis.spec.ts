import { SERVICE_LINES } from '@dwg/contracts';
import { demoKpiEvents, monthToDateDays } from './demo-kpis';
import { buildDemo } from './demo-world';

describe('demo KPI history', () => {
  const today = new Date('2026-11-27T03:00:00Z'); // 11:00 in Shanghai

  it('covers the month up to yesterday (service days)', () => {
    expect(monthToDateDays(today)).toHaveLength(26);
    expect(monthToDateDays(new Date('2026-11-30T17:00:00Z'))).toHaveLength(0); // 1 Dec in Shanghai
  });

  it('gives every demo contract changes on its own zones and lines, the same on every run', () => {
    const data = buildDemo();
    const events = demoKpiEvents(data, today);
    expect(events).toEqual(demoKpiEvents(data, today));
    for (const c of data.contracts) expect(events.some((e) => e.event.contractId === c._id)).toBe(true);
    const zones = new Set(data.zones.map((z) => z._id));
    for (const e of events) {
      expect(zones.has(e.event.zoneId as string)).toBe(true);
      expect(SERVICE_LINES).toContain(e.event.serviceLine);
      expect(e.event.day < '2026-11-27').toBe(true);
    }
    expect(new Set(events.map((e) => `${e.name}|${e.id}`)).size).toBe(events.length);
  });
});
