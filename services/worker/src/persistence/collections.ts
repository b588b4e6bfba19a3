import type { IndexDescription } from 'mongodb';

/**
 * Collections the worker owns (to move to @dwg/persistence's COLLECTIONS once the API reads them).
 * `tasks` holds EvidenceTask documents (_id = task id) written by task generation; `evidence` one state document
 * per task (_id = task id).
 */
export const WORKER_COLLECTIONS = {
  tasks: 'tasks',
  evidence: 'evidence',
} as const;

export const WORKER_INDEXES: Record<string, IndexDescription[]> = {
  [WORKER_COLLECTIONS.tasks]: [
    { key: { windowStart: 1, windowEnd: 1 }, name: 'window' },
    { key: { day: 1 }, name: 'day' },
  ],
  [WORKER_COLLECTIONS.evidence]: [
    { key: { day: 1, type: 1 }, name: 'day_type' },
    { key: { touchedAt: 1 }, name: 'touched_at' },
  ],
};
