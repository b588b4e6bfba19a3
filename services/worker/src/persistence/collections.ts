import type { IndexDescription } from 'mongodb';

/**
 * Collections the worker owns (to move to @dwg/persistence's COLLECTIONS once the API reads them).
 * `tasks` holds EvidenceTask documents (_id = task id) written by task generation, with their lifecycle;
 * `evidence.<day>` the evidence state of a service day's tasks in bucket documents (`evidence-buckets.ts`);
 * `alarms` the alarms (the api acknowledges and closes them); `alarm_state` one document per device with the start
 * of each ongoing condition.
 */
export const WORKER_COLLECTIONS = {
  tasks: 'tasks',
  /** Prefix of the per-day state collections `evidence.<day>` (see EvidenceRepository). */
  evidence: 'evidence',
  /** One entry per service day with evidence state: its bucket count and last fold. */
  evidenceDays: 'evidence_days',
  alarms: 'alarms',
  alarmState: 'alarm_state',
  /** Evidence deltas durable but not yet folded into `evidence` (see EvidenceWriter); normally near empty. */
  evidenceJournal: 'evidence_journal',
} as const;

export const WORKER_INDEXES: Record<string, IndexDescription[]> = {
  [WORKER_COLLECTIONS.tasks]: [
    { key: { windowStart: 1, windowEnd: 1 }, name: 'window' },
    { key: { day: 1 }, name: 'day' },
    // lifecycle: tasks whose window ended and are not final yet
    { key: { final: 1, windowEnd: 1 }, name: 'final_window_end' },
    // api: scoped lists
    { key: { contractId: 1, day: 1 }, name: 'contract_day' },
    { key: { operatorId: 1, day: 1 }, name: 'operator_day' },
    { key: { agencyId: 1, day: 1 }, name: 'agency_day' },
  ],
  [WORKER_COLLECTIONS.alarms]: [
    // One open alarm per condition (no storms): raising an active condition again hits this.
    { key: { openKey: 1 }, name: 'open_key', unique: true },
    { key: { active: 1 }, name: 'active' },
    { key: { contractId: 1, openedAt: -1 }, name: 'contract_opened' },
    { key: { operatorId: 1, openedAt: -1 }, name: 'operator_opened' },
    { key: { agencyId: 1, openedAt: -1 }, name: 'agency_opened' },
  ],
};
