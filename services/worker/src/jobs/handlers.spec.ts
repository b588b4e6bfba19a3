import { assertHandlers, MissingHandlerError } from './handlers';
import { CONSUMED_JOBS } from './queues';

describe('job handler check at start-up', () => {
  const ok = async () => undefined;

  it('passes when every consumed job has a handler', () => {
    expect(() =>
      assertHandlers(CONSUMED_JOBS, [
        { queue: 'telemetry', handlers: { 'batch-stored': ok } },
        { queue: 'evidence', handlers: { summarize: ok } },
        { queue: 'tasks', handlers: { generate: ok, lifecycle: ok, 'kpi-compact': ok } },
        { queue: 'alarms', handlers: { sweep: ok } },
        {
          queue: 'domain-events',
          handlers: { 'task-changed': ok, 'alarm-changed': ok, 'work-order-changed': ok },
        },
        { queue: 'work-order-timers', handlers: { card: ok } },
      ]),
    ).not.toThrow();
  });

  it('refuses, naming the queue and job, when a handler or a processor is missing', () => {
    expect(() => assertHandlers(CONSUMED_JOBS, [{ queue: 'telemetry', handlers: {} }])).toThrow(
      new MissingHandlerError(
        'no handler for job telemetry/batch-stored, evidence/summarize, tasks/generate, tasks/lifecycle, tasks/kpi-compact, alarms/sweep, domain-events/task-changed, domain-events/alarm-changed, domain-events/work-order-changed, work-order-timers/card: refusing to start',
      ),
    );
  });
});
