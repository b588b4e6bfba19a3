import type { AlarmChanged } from '@dwg/contracts';
import { domainEventJobId } from '@dwg/contracts';
import { DomainEventBus } from './domain-event-bus';

describe('domain event bus', () => {
  const alarm = { alarmId: 'a1', rev: 2, type: 'sos', status: 'open' } as AlarmChanged;

  it('hands an event to every subscriber of its name, and to no other', async () => {
    const bus = new DomainEventBus();
    const seen: string[] = [];
    bus.subscribe('alarm-changed', async (e) => void seen.push(`kpi:${e.alarmId}`));
    bus.subscribe('alarm-changed', async (e) => void seen.push(`orders:${e.type}`));
    bus.subscribe('task-changed', async (e) => void seen.push(`task:${e.taskId}`));
    await expect(bus.deliver('alarm-changed', alarm)).resolves.toBe(2);
    expect(seen).toEqual(['kpi:a1', 'orders:sos']);
  });

  it('fails the delivery when a subscriber fails, so the job is retried', async () => {
    const bus = new DomainEventBus();
    bus.subscribe('alarm-changed', async () => {
      throw new Error('rollup store down');
    });
    await expect(bus.deliver('alarm-changed', alarm)).rejects.toThrow('rollup store down');
  });

  it('gives one job id per entity and rev', () => {
    expect(domainEventJobId('alarm-changed', 'a1', 2)).toBe('alarm-changed|a1|2');
    expect(domainEventJobId('alarm-changed', 'a1', 3)).not.toBe(domainEventJobId('alarm-changed', 'a1', 2));
  });
});
