import type { EvidenceDelta, EvidencePoint } from '../evidence';
import { evaluate, mergeDelta } from '../evidence';
import type { TelemetryBatchStoredWithPoints } from '../jobs/points-codec';
import type { TelemetryReader } from '../persistence/telemetry.reader';
import { hourOf, type TaskSource } from '../persistence/task.source';
import type { EvidenceWriter } from './evidence-writer';

export interface BatchOutcome {
  points: number;
  tasks: number;
}

/** One stored batch → its records → deltas of the tasks they feed → group-committed evidence. */
export class BatchEvidence {
  /** Other consumers of each batch's records (the alarm rules); a failure fails the job, which is retried. */
  readonly listeners: ((points: EvidencePoint[]) => Promise<unknown>)[] = [];

  constructor(
    private readonly reader: TelemetryReader,
    private readonly tasks: TaskSource,
    private readonly writer: EvidenceWriter,
  ) {}

  async handle(event: TelemetryBatchStoredWithPoints): Promise<BatchOutcome> {
    const points = await this.reader.forEvent(event);
    const deltas = await this.evaluate(points);
    await Promise.all([this.writer.submit(deltas), ...this.listeners.map((l) => l(points))]);
    return { points: points.length, tasks: deltas.length };
  }

  /** Records are evaluated against the tasks of their own hour, so a late upload meets the tasks of its time. */
  async evaluate(points: EvidencePoint[]): Promise<EvidenceDelta[]> {
    const byHour = new Map<number, EvidencePoint[]>();
    for (const p of points) {
      const h = hourOf(p.ts);
      const list = byHour.get(h);
      if (list) list.push(p);
      else byHour.set(h, [p]);
    }
    if (byHour.size === 1) {
      const [[h, pts]] = byHour;
      return evaluate(await this.tasks.indexFor(h), pts);
    }
    const merged = new Map<string, EvidenceDelta>();
    for (const [h, pts] of byHour) {
      for (const d of evaluate(await this.tasks.indexFor(h), pts)) {
        const cur = merged.get(d.taskId);
        merged.set(d.taskId, cur ? mergeDelta(cur, d) : d);
      }
    }
    return [...merged.values()];
  }
}
