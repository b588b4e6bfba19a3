import type { TaskChanged } from '@dwg/contracts';
import type { OperationsReader } from '../persistence/operations.reader';
import type { TaskRepository } from '../persistence/task.repository';
import { generateTasks } from './generation';
import { taskChanged } from './events';

/** One generation run: read the model, map it (pure), upsert by deterministic id, announce new tasks. */
export class TaskGenerator {
  constructor(
    private readonly ops: OperationsReader,
    private readonly repo: TaskRepository,
    private readonly publish: (e: TaskChanged) => Promise<void>,
  ) {}

  async run(
    day: string,
    now = Date.now(),
  ): Promise<{ day: string; tasks: number; inserted: number; updated: number; unchanged: number }> {
    const tasks = generateTasks(await this.ops.model(), day);
    const { inserted, updated, unchanged } = await this.repo.upsert(tasks);
    const created = new Set(inserted);
    for (const t of tasks)
      if (created.has(t.id))
        await this.publish(
          taskChanged(t, t.id, { status: 'pending', final: false, onTime: null, metrics: {} }, 1, now),
        );
    return { day, tasks: tasks.length, inserted: inserted.length, updated, unchanged };
  }
}
