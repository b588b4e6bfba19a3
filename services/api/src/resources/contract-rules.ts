import { ALARM_TYPES } from '@dwg/contracts';

/**
 * Per-contract thresholds (`contract.rules`): evidence options read by task generation and alarm rules read by
 * the worker. Every key is optional (the worker's defaults apply); an unknown key or a value out of range is a
 * 400 naming it, so a typo cannot silently leave a default in force.
 */
const EVIDENCE: Record<string, Record<string, [number, number] | 'speeds'>> = {
  coverage: {
    cellM: [1, 500],
    bufferM: [1, 200],
    passGapMin: [1, 600],
    maxSpeedKmh: 'speeds',
    maxAccM: [1, 1000],
    doneShare: [0, 1],
  },
  sites: { radiusM: [1, 1000], dwellS: [0, 3600], slotS: [1, 600], maxGapS: [1, 3600] },
  area: { slotS: [1, 3600], maxGapS: [1, 7200], minDurationMin: [0, 720] },
  post: {
    graceMin: [0, 240],
    earlyMin: [0, 240],
    offPostMin: [1, 720],
    slotS: [1, 3600],
    maxCarryS: [1, 7200],
  },
  online: { slotS: [1, 3600] },
};
const ALARMS: Record<string, [number, number] | 'speeds' | 'types'> = {
  disabled: 'types',
  zoneExitMin: [1, 720],
  offPostMin: [1, 720],
  overspeedKmh: 'speeds',
  overspeedS: [0, 3600],
  stoppedMin: [1, 720],
  stoppedKmh: [0, 50],
  offlineMin: [1, 1440],
  lowBatteryPct: [0, 100],
  lowBatteryClearPct: [0, 100],
  badgeVehicleKmh: [1, 200],
  badgeVehicleMin: [1, 720],
};

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function checkValue(path: string, v: unknown, rule: [number, number] | 'speeds' | 'types', out: string[]) {
  if (rule === 'types') {
    if (!Array.isArray(v) || !v.every((t) => ALARM_TYPES.includes(t as never)))
      out.push(`${path} must be a list of alarm types (${ALARM_TYPES.join(', ')})`);
  } else if (rule === 'speeds') {
    if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'number' && x > 0 && x <= 300))
      out.push(`${path} must be an object of speeds in km/h (0-300), e.g. {"sweeper": 30}`);
  } else if (typeof v !== 'number' || !Number.isFinite(v) || v < rule[0] || v > rule[1]) {
    out.push(`${path} must be a number from ${rule[0]} to ${rule[1]}`);
  }
}

export function contractRulesProblems(rules: unknown): string[] {
  if (rules === undefined || rules === null) return [];
  const out: string[] = [];
  if (!isObj(rules)) return ['rules must be an object {evidence?, alarms?}'];
  for (const [k, v] of Object.entries(rules)) {
    if (k === 'evidence') {
      if (!isObj(v)) {
        out.push('rules.evidence must be an object');
        continue;
      }
      for (const [group, values] of Object.entries(v)) {
        const spec = EVIDENCE[group];
        if (!spec) {
          out.push(`rules.evidence.${group} is unknown; known: ${Object.keys(EVIDENCE).join(', ')}`);
          continue;
        }
        if (!isObj(values)) {
          out.push(`rules.evidence.${group} must be an object`);
          continue;
        }
        for (const [name, x] of Object.entries(values)) {
          if (!spec[name])
            out.push(`rules.evidence.${group}.${name} is unknown; known: ${Object.keys(spec).join(', ')}`);
          else checkValue(`rules.evidence.${group}.${name}`, x, spec[name], out);
        }
      }
    } else if (k === 'alarms') {
      if (!isObj(v)) {
        out.push('rules.alarms must be an object');
        continue;
      }
      for (const [name, x] of Object.entries(v)) {
        if (!ALARMS[name])
          out.push(`rules.alarms.${name} is unknown; known: ${Object.keys(ALARMS).join(', ')}`);
        else checkValue(`rules.alarms.${name}`, x, ALARMS[name], out);
      }
    } else out.push(`rules.${k} is unknown; known: evidence, alarms`);
  }
  return out;
}
