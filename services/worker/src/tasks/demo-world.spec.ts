import { buildDemo } from '../../../api/src/seed/demo-world';
import { generateTasks } from './generation';
import type { OperationsModel } from './model';

/** The demo seed (npm start) mapped by task generation: every day has work on all four service lines. */
describe('tasks of the demo district', () => {
  const model = buildDemo() as unknown as OperationsModel;

  it.each(['2026-11-27', '2026-11-29'])('on %s covers every service line and task kind', (day) => {
    const tasks = generateTasks(model, day);
    expect(new Set(tasks.map((t) => t.serviceLine))).toEqual(
      new Set(['sanitation', 'greening', 'patrol', 'waste_sorting']),
    );
    expect(new Set(tasks.map((t) => t.kind))).toEqual(
      new Set([
        'route',
        'patrol_rounds',
        'collection_rounds',
        'sorting_rounds',
        'greening',
        'post',
        'online',
      ]),
    );
    // Every worker has a post and every vehicle an online task; every task has a device to prove it.
    expect(tasks.filter((t) => t.kind === 'post')).toHaveLength(model.workers.length);
    expect(tasks.filter((t) => t.kind === 'online')).toHaveLength(model.vehicles.length);
    expect(tasks.every((t) => t.subjects.length > 0)).toBe(true);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });
});
