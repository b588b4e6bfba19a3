/**
 * Which team must act on a report: the contract's routing rules for the category (a rule bound to the order's
 * zone or one of its ancestors beats a contract-wide rule), else the first team of the category's service line.
 * Null sends the order to the screening queue.
 */
export interface RoutingRule {
  category: string;
  teamId: string;
  /** Applies only inside this zone (or its sub-zones); absent: anywhere in the contract. */
  zoneId?: string;
}

export interface RoutingInput {
  category: { code: string; serviceLine: string | null } | undefined;
  /** The order's zone first, then its parent, up to the top. Empty when the point is in no zone. */
  zoneChain: string[];
  contract: { id: string; serviceLines: string[] } | null;
  rules: RoutingRule[];
  teams: { id: string; serviceLine: string }[];
  /** For alarm-born categories without a line of their own. */
  fallbackServiceLine?: string | null;
}

export type RoutingDecision = { teamId: string; reason: string } | { teamId: null; reason: string };

export function routeOrder(i: RoutingInput): RoutingDecision {
  if (!i.category) return { teamId: null, reason: 'unknown category' };
  if (!i.contract || i.zoneChain.length === 0) return { teamId: null, reason: 'outside every zone' };
  const teamIds = new Set(i.teams.map((t) => t.id));
  const rules = i.rules.filter((r) => r.category === i.category!.code && teamIds.has(r.teamId));
  for (const z of i.zoneChain) {
    const r = rules.find((x) => x.zoneId === z);
    if (r) return { teamId: r.teamId, reason: `routing rule for zone ${z}` };
  }
  const wide = rules.find((x) => !x.zoneId);
  if (wide) return { teamId: wide.teamId, reason: 'contract routing rule' };
  const line = i.category.serviceLine ?? i.fallbackServiceLine ?? null;
  if (!line) return { teamId: null, reason: 'no service line for the category' };
  if (!i.contract.serviceLines.includes(line))
    return { teamId: null, reason: `contract does not cover ${line}` };
  const team = [...i.teams].sort((a, b) => a.id.localeCompare(b.id)).find((t) => t.serviceLine === line);
  return team
    ? { teamId: team.id, reason: `first ${line} team` }
    : { teamId: null, reason: `no ${line} team in the contract` };
}
