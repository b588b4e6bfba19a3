import { UnrecoverableError, type Job } from 'bullmq';

export type JobHandler = (job: Job) => Promise<unknown>;

/** A processor's handlers by job name; the worker refuses to start if a consumed job is missing from them. */
export interface HandlesJobs {
  readonly queue: string;
  readonly handlers: Readonly<Record<string, JobHandler>>;
}

export class MissingHandlerError extends Error {}

/** Throws, naming each queue/job pair without a handler (and each queue without a processor). */
export function assertHandlers(
  consumed: Record<string, readonly string[]>,
  processors: readonly HandlesJobs[],
): void {
  const missing: string[] = [];
  for (const [queue, jobs] of Object.entries(consumed)) {
    const p = processors.find((x) => x.queue === queue);
    for (const job of jobs) if (!p?.handlers[job]) missing.push(`${queue}/${job}`);
  }
  if (missing.length)
    throw new MissingHandlerError(`no handler for job ${missing.join(', ')}: refusing to start`);
}

/** Runs the job's handler; an unknown name fails without retries (retrying cannot make a handler appear). */
export function dispatch(p: HandlesJobs, job: Job): Promise<unknown> {
  const h = p.handlers[job.name];
  if (!h) throw new UnrecoverableError(`queue ${p.queue} has no handler for job "${job.name}"`);
  return h(job);
}
