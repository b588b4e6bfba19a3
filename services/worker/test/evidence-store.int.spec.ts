import { Redis } from 'ioredis';
import { createTestDb, testUrls, uniqueName, type TestDb } from '@dwg/testing';
import type { EvidenceDelta, EvidenceDoc } from '../src/evidence';
import { WORKER_COLLECTIONS } from '../src/persistence/collections';
import { bucketOf } from '../src/persistence/evidence-buckets';
import { EvidenceRepository } from '../src/persistence/evidence.repository';
import { redisLock } from '../src/persistence/redis-lock';
import { EvidenceWriter } from '../src/pipeline/evidence-writer';

const delta = (
  taskId: string,
  day: string,
  add: Record<string, number[]>,
  min: Record<string, number> = {},
  max: Record<string, number> = {},
): EvidenceDelta => ({ taskId, day, type: 'route', add, min, max });

/** The evidence of a state, without the bookkeeping that differs between runs (rev, touchedAt). */
function evidenceOf(s: EvidenceDoc | undefined) {
  if (!s) return undefined;
  const { rev: _rev, touchedAt: _t, ...rest } = s as EvidenceDoc & { touchedAt?: number };
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? [...v].sort((a, b) => a - b)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sort(x)]))
        : v;
  return sort(rest);
}

/** Task ids as generation makes them: dots included. */
const ids = Array.from({ length: 24 }, (_, i) => `shift-${i}.2026-11-27.route`);
function batches(day: string): EvidenceDelta[][] {
  return [0, 1, 2, 3].map((b) =>
    ids.map((id, i) =>
      delta(
        id,
        day,
        { [`cells.c${(i + b) % 5}`]: [b, b + 1], slots: [i] },
        { firstTs: 100 - b },
        { lastTs: b },
      ),
    ),
  );
}

describe('evidence state store (bucket documents per service day)', () => {
  let db: TestDb;
  let redis: Redis;

  beforeAll(async () => {
    db = await createTestDb('evstore');
    redis = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await db?.drop();
    redis?.disconnect();
  });

  /** Every task's evidence on a day (the day itself left out, to compare days). */
  const all = async (repo: EvidenceRepository, day: string) => {
    const m = await repo.states(ids.map((id) => ({ id, day })));
    return Object.fromEntries(ids.map((id) => [id, { ...(evidenceOf(m.get(id)) as object), day: '' }]));
  };

  it('reaches the same state folded in order, in reverse and twice, and reads each task back from its bucket', async () => {
    const repo = new EvidenceRepository(db.db, { buckets: 4 });
    for (const b of batches('d-order')) await repo.apply(b);
    for (const b of batches('d-reverse').reverse()) await repo.apply(b);
    for (const b of [...batches('d-twice'), ...batches('d-twice')]) await repo.apply(b);
    const order = await all(repo, 'd-order');
    expect(await all(repo, 'd-reverse')).toEqual(order);
    expect(await all(repo, 'd-twice')).toEqual(order);

    // Each task's own state, although 24 tasks share 4 documents.
    expect(order[ids[7]]).toEqual({
      _id: ids[7],
      taskId: ids[7],
      day: '',
      type: 'route',
      cells: { c2: [0, 1], c3: [1, 2], c4: [2, 3], c0: [3, 4] },
      slots: [7],
      firstTs: 97,
      lastTs: 3,
    });
    const col = db.db.collection(EvidenceRepository.collectionOf('d-order'));
    const buckets = await col.find({}).toArray();
    expect(buckets.length).toBeLessThanOrEqual(4);
    expect(buckets.length).toBeGreaterThan(1);
    expect(new Set(buckets.map((b) => b._id))).toEqual(new Set(ids.map((id) => bucketOf(id, 4))));
    expect(await repo.state('unknown.task', 'd-order')).toBeUndefined();
    expect(await repo.state(ids[0], 'no-such-day')).toBeUndefined();
  });

  it('keeps a day on the bucket count of its first write', async () => {
    await new EvidenceRepository(db.db, { buckets: 2 }).apply(batches('d-fixed')[0]);
    const later = new EvidenceRepository(db.db, { buckets: 8 });
    await later.apply(batches('d-fixed')[1]);
    expect((await all(later, 'd-fixed'))[ids[3]]).toMatchObject({ slots: [3], firstTs: 99, lastTs: 1 });
    const docs = await db.db.collection(EvidenceRepository.collectionOf('d-fixed')).countDocuments({});
    expect(docs).toBeLessThanOrEqual(2);
  });

  it('folds again after a crash between the fold and the journal delete, to the same state', async () => {
    const reference = new EvidenceRepository(db.db, { buckets: 4 });
    for (const b of batches('d-ref')) await reference.apply(b);

    class CrashingRepo extends EvidenceRepository {
      override async dropJournal(): Promise<void> {
        throw new Error('process died after the fold');
      }
    }
    const crashing = new EvidenceWriter(new CrashingRepo(db.db, { buckets: 4 }));
    await Promise.all(batches('d-crash').map((b) => crashing.submit(b))); // one journal entry
    await crashing.drain(); // folded, journal left behind
    const journal = db.db.collection(WORKER_COLLECTIONS.evidenceJournal);
    expect(await journal.countDocuments({})).toBeGreaterThan(0);
    expect(await all(reference, 'd-crash')).toEqual(await all(reference, 'd-ref'));

    const next = new EvidenceWriter(new EvidenceRepository(db.db, { buckets: 4 }));
    expect(await next.recover()).toBeGreaterThan(0);
    await next.drain();
    expect(await journal.countDocuments({})).toBe(0);
    expect(await all(reference, 'd-crash')).toEqual(await all(reference, 'd-ref'));
  });

  it('keeps each service day in a collection of its own, so writing one day leaves the others as they were', async () => {
    const repo = new EvidenceRepository(db.db, { buckets: 4 });
    const t = Date.now() + 86_400_000; // after every other test's writes
    await repo.apply(batches('2026-11-26')[0], t);
    const old = db.db.collection(EvidenceRepository.collectionOf('2026-11-26'));
    const before = await old.find({}).sort({ _id: 1 }).toArray();
    await repo.apply(batches('2026-11-27')[0], t + 1_000);
    await repo.apply(batches('2026-11-27')[1], t + 2_000);
    expect(await old.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
    const today = await db.db.collection(EvidenceRepository.collectionOf('2026-11-27')).find({}).toArray();
    expect(today.every((b) => b.day === '2026-11-27')).toBe(true);
    expect(today.length).toBeLessThanOrEqual(4);
    // "Touched since" looks only at the days folded into since then.
    const touched = await repo.touchedSince(t + 1_000);
    expect(new Set(touched.map((s) => s.day))).toEqual(new Set(['2026-11-27']));
    expect(touched.map((s) => s.taskId).sort()).toEqual([...ids].sort());
    expect(await repo.days()).toEqual(expect.arrayContaining(['2026-11-26', '2026-11-27']));
  });

  it('loses nothing when two processes fold into the same buckets at once (write lock)', async () => {
    const key = `${uniqueName('lock')}:evidence:write-lock`;
    const a = new EvidenceWriter(new EvidenceRepository(db.db, { buckets: 2, lock: redisLock(redis, key) }));
    const b = new EvidenceWriter(new EvidenceRepository(db.db, { buckets: 2, lock: redisLock(redis, key) }));
    const rounds = 8;
    const feed = async (w: EvidenceWriter, base: number) => {
      for (let r = 0; r < rounds; r++) {
        await w.submit(ids.map((id) => delta(id, 'd-two', { slots: [base + r] })));
        await w.folded();
      }
    };
    await Promise.all([feed(a, 0), feed(b, 100)]);
    await Promise.all([a.drain(), b.drain()]);
    const want = [
      ...Array.from({ length: rounds }, (_, r) => r),
      ...Array.from({ length: rounds }, (_, r) => 100 + r),
    ];
    const got = await all(new EvidenceRepository(db.db), 'd-two');
    for (const id of ids) expect((got[id] as unknown as { slots: number[] }).slots).toEqual(want);
  });

  it('lets one holder at a time into the write lock, across connections', async () => {
    const key = `${uniqueName('lock')}:evidence:write-lock`;
    const other = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: 1 });
    const locks = [redisLock(redis, key), redisLock(other, key)];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        locks[i % 2](async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 15));
          order.push(i);
          inside--;
        }),
      ),
    );
    other.disconnect();
    expect(most).toBe(1);
    expect(order).toHaveLength(12);
    expect(await redis.exists(key)).toBe(0); // released by its holder
  });

  it('stores summaries per task and never lets an older run overwrite a newer one', async () => {
    const repo = new EvidenceRepository(db.db, { buckets: 4 });
    await repo.apply(batches('d-sum')[0]);
    const [s0, s1] = await Promise.all([repo.state(ids[0], 'd-sum'), repo.state(ids[1], 'd-sum')]);
    const item = (id: string, rev: number, asOf: number, v: string) => ({
      id,
      day: 'd-sum',
      rev,
      asOf,
      summary: { v },
    });
    expect(
      await repo.writeSummaries([item(ids[0], s0!.rev!, 2_000, 'new'), item(ids[1], s1!.rev!, 2_000, 'new')]),
    ).toBe(2);
    await repo.writeSummaries([item(ids[0], s0!.rev!, 1_000, 'old')]);
    expect((await repo.state(ids[0], 'd-sum'))?.summary).toEqual({ v: 'new' });
    expect((await repo.state(ids[1], 'd-sum'))?.summaryRev).toBe(s1!.rev);
  });
});
