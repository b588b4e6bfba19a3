import { Redis } from 'ioredis';
import { testUrls, uniqueName, waitUntil } from '@dwg/testing';
import { AppendAbandoned, RedisJournal } from '../src/journal/redis-journal';

/** The journal's back-pressure against the real Redis: first come, first served, nothing stranded. */
describe('ingest: RedisJournal above its high-water mark', () => {
  let appender: Redis;
  let reader: Redis;
  let journal: RedisJournal;
  const key = uniqueName('journal');

  beforeAll(async () => {
    appender = new Redis(testUrls().REDIS_URL, { enableAutoPipelining: true });
    reader = new Redis(testUrls().REDIS_URL);
    journal = new RedisJournal(appender, reader, {
      key,
      group: 'g',
      consumer: 'c',
      highWater: 2,
      claimIdleMs: 30_000,
    });
    await journal.init();
  });

  afterAll(async () => {
    await reader.del(key);
    appender.disconnect();
    reader.disconnect();
  });

  it('gives up an abandoned wait without appending, and wakes the others when room appears elsewhere', async () => {
    await journal.append('t/1', Buffer.from('1'), new Date());
    await journal.append('t/2', Buffer.from('2'), new Date());
    const order: string[] = [];
    let gone = false;
    const abandoned = journal.append('t/3', Buffer.from('3'), new Date(), () => gone);
    const waiting = journal.append('t/4', Buffer.from('4'), new Date()).then(() => order.push('4'));
    const later = journal.append('t/5', Buffer.from('5'), new Date()).then(() => order.push('5'));
    gone = true; // its connection closed: within a second it gives up, before anyone is woken
    await expect(abandoned).rejects.toBeInstanceOf(AppendAbandoned);

    // Another instance empties the stream: this instance's writer completes nothing, yet the waiters go on.
    expect(order).toEqual([]);
    await reader.del(key);
    await reader.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    await waitUntil('both waiting appends', async () => order.length === 2, 5000);
    await Promise.all([waiting, later]);
    expect(order).toEqual(['4', '5']);
    const payloads = (await reader.xrange(key, '-', '+')).map(([, f]) => f[f.indexOf('p') + 1]);
    expect(payloads).toEqual(['4', '5']); // the abandoned one was never written
  });
});
