import { WORK_ORDER_CATEGORIES, type RoutingRule, type WorkCalendar } from '@dwg/contracts';
import type { DemoData } from './demo-world';

/** Demo Open311 key of the 12345 hotline bridge (demo only; real keys are issued per integration). */
export const DEMO_OPEN311_KEY = 'dwg-demo-open311-12345-bridge-key';

/** Demo deadlines: a twelfth of the defaults (litter 5/10 min), so escalation shows within minutes. */
export function demoDeadlines(): WorkCalendar['deadlines'] {
  return Object.fromEntries(
    WORK_ORDER_CATEGORIES.map((c) => {
      const due = Math.max(2, Math.round(c.dueMin / 12));
      return [c.code, { dueMin: due, redMin: due * 2 }];
    }),
  );
}

/**
 * Work-order settings of the demo contracts: a round-the-clock calendar with shortened deadlines and the 2026
 * national holidays listed (not used by a round-the-clock demo, shown for the console), routing rules that send
 * each category to a team of its line, with one grid-specific rule.
 */
export function buildDemoWorkOrders(d: DemoData) {
  const calendars = d.contracts.map((c) => ({
    _id: c._id,
    contractId: c._id,
    operatorId: c.operatorId,
    agencyId: c.agencyId,
    utcOffsetMin: 480,
    workDays: [1, 2, 3, 4, 5, 6, 7],
    start: '00:00',
    end: '24:00',
    holidays: [],
    extraWorkdays: [],
    pauses: [],
    deadlines: demoDeadlines(),
    version: 1,
  }));
  const routing = d.contracts.map((c) => {
    const teams = d.teams.filter((t) => t.contractId === c._id);
    const rules: RoutingRule[] = [];
    for (const cat of WORK_ORDER_CATEGORIES) {
      if (!cat.serviceLine) continue;
      const team = teams.find((t) => t.serviceLine === cat.serviceLine);
      if (team) rules.push({ category: cat.code, teamId: team._id });
    }
    // The first grid of the contract has its own litter team (the second sanitation team).
    const grid = d.zones.find((z) => z.contractId === c._id && z.level === 'grid');
    const second = teams.filter((t) => t.serviceLine === 'sanitation')[1];
    if (grid && second) rules.push({ category: 'litter', teamId: second._id, zoneId: grid._id });
    return { _id: c._id, contractId: c._id, operatorId: c.operatorId, agencyId: c.agencyId, rules };
  });
  return { calendars, routing };
}
