import { COLLECTIONS, kpiHistoryOf, kpiRollupsOf } from '@dwg/persistence';
import type { TaskChanged } from '@dwg/contracts';
import { createTestDb, type TestDb } from '@dwg/testing';
import {
  changeFromTask,
  KpiRollups,
  STEP_GRACE_MS,
  type ContributionDoc,
  type KpiChange,
  type RollupDoc,
  type StepDoc,
} from '../src/kpi/kpi-rollups';

/** The rollup writer against the real FerretDB: crash repair, concurrent deliveries, moves between keys. */
describe('KPI rollups: idempotent $inc without transactions', () => {
  let db: TestDb;
  let rollups: KpiRollups;

  beforeAll(async () => {
    db = await createTestDb('kpiroll');
    rollups = new KpiRollups(db.db);
  });
  afterAll(() => db.drop());

  const post = (id: string, rev: number, attended: boolean, day = '2026-10-05'): TaskChanged => ({
    tenantId: 'op',
    contractId: 'c1',
    zoneId: 'z1',
    serviceLine: 'sanitation',
    day,
    taskId: id,
    rev,
    type: 'post',
    status: attended ? 'completed' : 'missed',
    final: true,
    subjectKind: 'worker',
    subjectIds: ['w'],
    deviceIds: ['b'],
    windowStart: `${day}T06:00:00+08:00`,
    windowEnd: `${day}T14:00:00+08:00`,
    metrics: { attended, shiftMin: 480, onPostMin: attended ? 480 : 0, reported: attended },
    changedAt: `${day}T14:00:00+08:00`,
  });
  const rollup = (day = '2026-10-05') =>
    db.db.collection<RollupDoc>(kpiRollupsOf(day)).findOne({ _id: `c1|z1|sanitation|${day}` });

  it('applies each rev once, whatever the order and however often it is delivered', async () => {
    expect(await rollups.apply(changeFromTask(post('t1', 2, false)))).toBe('applied');
    expect(await rollups.apply(changeFromTask(post('t1', 2, false)))).toBe('stale');
    expect(await rollups.apply(changeFromTask(post('t1', 5, true)))).toBe('applied');
    expect(await rollups.apply(changeFromTask(post('t1', 4, false)))).toBe('stale');
    const r = await rollup();
    expect(r?.c).toMatchObject({ postShifts: 1, postAttended: 1, postOnPostMin: 480 });
  });

  it('ends at the highest rev when revisions of one entity race each other', async () => {
    const revs = [3, 1, 7, 2, 6, 5, 4];
    await Promise.all(revs.map((rev) => rollups.apply(changeFromTask(post('t2', rev, rev % 2 === 1)))));
    const r = await rollup();
    // t1 attended (rev 5) + t2 at rev 7 (odd: attended).
    expect(r?.c).toMatchObject({ postShifts: 2, postAttended: 2 });
    expect((await new KpiRollups(db.db).current('task:t2'))?.rev).toBe(7);
    // The claimed steps form one chain 0 → … → 7: each starts where the previous one ended, none twice.
    const steps = await db.db.collection<StepDoc>(COLLECTIONS.kpiSteps).find({ entity: 'task:t2' }).toArray();
    steps.sort((a, b) => a.from - b.from);
    expect(steps.map((s) => s.from)).toEqual([0, ...steps.slice(0, -1).map((s) => s.to)]);
    expect(steps.at(-1)?.to).toBe(7);
  });

  /** The claim a crashed delivery leaves: step 0 → 1 of the entity, written before anything else. */
  const claimStep = (ch: KpiChange, appliedAt: Date) =>
    db.db.collection<StepDoc>(COLLECTIONS.kpiSteps).insertOne({
      _id: `task:${ch.entityId}@0`,
      entity: `task:${ch.entityId}`,
      from: 0,
      to: ch.rev,
      opId: `task:${ch.entityId}:${ch.rev}`,
      appliedAt,
      deltas: [{ key: ch.key, delta: ch.vec }],
      prev: null,
      doc: {
        _id: `task:${ch.entityId}|${ch.rev}`,
        kind: 'task',
        entityId: ch.entityId,
        rev: ch.rev,
        contractId: 'c1',
        day: ch.key.day,
        key: ch.key,
        vec: ch.vec,
        ref: ch.ref,
        changedAt: ch.changedAt,
      },
    });
  const aMinuteAgo = () => new Date(Date.now() - 2 * STEP_GRACE_MS);

  it('finishes a change interrupted between the rollup $inc and the contribution write', async () => {
    const ch = changeFromTask(post('t3', 1, true, '2026-10-06'));
    await claimStep(ch, aMinuteAgo());
    // …and the rollup $inc already done (it sets applied.<entity> in the same update), not the contribution.
    await db.db.collection<RollupDoc>(kpiRollupsOf('2026-10-06')).insertOne({
      _id: 'c1|z1|sanitation|2026-10-06',
      tenantId: 'op',
      contractId: 'c1',
      zoneId: 'z1',
      serviceLine: 'sanitation',
      day: '2026-10-06',
      c: {
        postShifts: 1,
        postAttended: 1,
        postShiftMin: 480,
        postOnPostMin: 480,
        tasksDue: 1,
        tasksCompleted: 1,
        tasksOnTime: 1,
        mgmtSubjects: 1,
        mgmtReported: 1,
        postOffPostEpisodes: 0,
      },
      applied: { 'task:t3': 1 },
      updatedAt: new Date(),
    });
    // The retry of the same event completes it without counting twice; the next rev then applies its difference.
    expect(await rollups.apply(ch)).toBe('stale');
    expect((await rollup('2026-10-06'))?.c.postShifts).toBe(1);
    expect((await rollups.current('task:t3'))?.rev).toBe(1);
    expect(await rollups.apply(changeFromTask(post('t3', 2, false, '2026-10-06')))).toBe('applied');
    const r = await rollup('2026-10-06');
    expect(r?.c).toMatchObject({ postShifts: 1, postAttended: 0, postOnPostMin: 0 });
    const history = await db.db.collection(kpiHistoryOf('2026-10-06')).find({ day: '2026-10-06' }).toArray();
    expect(history.map((h) => h.opId).sort()).toEqual(['task:t3:1', 'task:t3:2']);
  });

  it('applies a step whose writer crashed right after claiming it, once', async () => {
    const ch = changeFromTask(post('t5', 1, true, '2026-10-09'));
    await claimStep(ch, aMinuteAgo());
    // A later rev arrives first: it finishes the crashed step 0 → 1, then applies its own 1 → 3.
    expect(await rollups.apply(changeFromTask(post('t5', 3, false, '2026-10-09')))).toBe('applied');
    expect(await rollups.apply(ch)).toBe('stale');
    expect((await rollup('2026-10-09'))?.c).toMatchObject({ postShifts: 1, postAttended: 0 });
    const history = await db.db.collection(kpiHistoryOf('2026-10-09')).find({ day: '2026-10-09' }).toArray();
    expect(history.map((h) => h.opId).sort()).toEqual(['task:t5:1', 'task:t5:3']);
  });

  it('leaves a fresh unfinished step to its writer and asks for a retry', async () => {
    const ch = changeFromTask(post('t6', 1, true, '2026-10-10'));
    await claimStep(ch, new Date());
    await expect(rollups.apply(ch)).rejects.toThrow(/in progress elsewhere/);
    expect(await rollup('2026-10-10')).toBeNull();
    // Once the grace has passed (its writer is presumed dead), a delivery finishes it.
    const later = new KpiRollups(db.db, () => new Date(Date.now() + 2 * STEP_GRACE_MS));
    expect(await later.apply(ch)).toBe('stale');
    expect((await rollup('2026-10-10'))?.c.postShifts).toBe(1);
  });

  it('moves a contribution to its new day when an entity is re-keyed', async () => {
    await rollups.apply(changeFromTask(post('t4', 1, true, '2026-10-07')));
    await rollups.apply(changeFromTask(post('t4', 2, true, '2026-10-08')));
    expect((await rollup('2026-10-07'))?.c.postShifts).toBe(0);
    expect((await rollup('2026-10-08'))?.c.postShifts).toBe(1);
    // The contributions of the old day say the entity left it (a reader of that day alone must not count it).
    const docs = await db.db
      .collection<ContributionDoc>(COLLECTIONS.kpiContributions)
      .find({ entityId: 't4' })
      .toArray();
    expect(docs.map((d) => [d.day, d.rev, d.gone ?? false]).sort()).toEqual([
      ['2026-10-07', 1, false],
      ['2026-10-07', 2, true],
      ['2026-10-08', 2, false],
    ]);
  });

  it('counts every entity when many entities change the same rollup at once', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `m${i}`);
    await Promise.all(ids.map((id) => rollups.apply(changeFromTask(post(id, 1, true, '2026-10-12')))));
    expect((await rollup('2026-10-12'))?.c).toMatchObject({ postShifts: 24, postAttended: 24 });
  });

  it('keeps each month in its own rollup collection, and moves an entity across months', async () => {
    await rollups.apply(changeFromTask(post('t8', 1, true, '2026-09-30')));
    await rollups.apply(changeFromTask(post('t9', 1, true, '2026-11-01')));
    expect((await rollup('2026-09-30'))?.c.postShifts).toBe(1);
    expect((await rollup('2026-11-01'))?.c.postShifts).toBe(1);
    expect(await db.db.collection(kpiRollupsOf('2026-10-01')).countDocuments({ day: '2026-09-30' })).toBe(0);
    await rollups.apply(changeFromTask(post('t8', 2, true, '2026-10-13')));
    expect((await rollup('2026-09-30'))?.c.postShifts).toBe(0);
    expect((await rollup('2026-10-13'))?.c.postShifts).toBe(1);
  });

  it('does not count twice a step cut short before the split, whose $inc went to the former collection', async () => {
    const ch = changeFromTask(post('t10', 1, true, '2026-10-14'));
    await claimStep(ch, aMinuteAgo());
    await db.db.collection<RollupDoc>(COLLECTIONS.kpiRollups).insertOne({
      _id: 'c1|z1|sanitation|2026-10-14',
      tenantId: 'op',
      contractId: 'c1',
      zoneId: 'z1',
      serviceLine: 'sanitation',
      day: '2026-10-14',
      c: { postShifts: 1, postAttended: 1 },
      applied: { 'task:t10': 1 },
      updatedAt: new Date(),
    });
    expect(await rollups.apply(ch)).toBe('stale');
    expect(await rollup('2026-10-14')).toBeNull();
    // The next rev writes its difference to the month's collection; a reader adds both up.
    expect(await rollups.apply(changeFromTask(post('t10', 2, false, '2026-10-14')))).toBe('applied');
    expect((await rollup('2026-10-14'))?.c).toMatchObject({ postAttended: -1 });
  });

  it('refuses changes of closed days and compacts steps and contributions without changing any count', async () => {
    const own = await createTestDb('kpicompact');
    try {
      let clock = new Date('2026-10-20T00:00:00Z');
      const r = new KpiRollups(own.db, () => clock, 100);
      const apply = (id: string, rev: number, attended: boolean, day: string) =>
        r.apply(changeFromTask(post(id, rev, attended, day)));
      await apply('a', 1, false, '2026-10-05');
      await apply('a', 2, true, '2026-10-05');
      await apply('b', 1, true, '2026-10-05');
      await apply('b', 2, true, '2026-10-30'); // moves to another day
      await apply('c', 1, true, '2026-12-01');
      const rollupOf = (day: string) =>
        own.db.collection<RollupDoc>(kpiRollupsOf(day)).findOne({ _id: `c1|z1|sanitation|${day}` });
      const ids = async (name: string) =>
        (
          await own.db
            .collection(name)
            .find({}, { projection: { _id: 1 } })
            .toArray()
        )
          .map((d) => d._id)
          .sort();

      // 100 days later 5 Oct is closed (days before 12 Oct), 30 Oct and 1 Dec are open.
      clock = new Date('2027-01-20T00:00:00Z');
      expect(await r.compact()).toEqual({ closedBefore: '2026-10-12', steps: 2, contributions: 3 });
      expect(await ids(COLLECTIONS.kpiContributions)).toEqual(['task:a|2', 'task:b|2', 'task:c|1']);
      expect(await ids(COLLECTIONS.kpiSteps)).toEqual(['task:b@0', 'task:b@1', 'task:c@0']);

      expect(await apply('a', 3, false, '2026-10-05')).toBe('closed');
      expect((await rollupOf('2026-10-05'))?.c).toMatchObject({ postShifts: 1, postAttended: 1 });
      // The open entity's chain is whole: a new rev applies its difference, in this process or a fresh one.
      expect(await apply('b', 3, false, '2026-10-30')).toBe('applied');
      const fresh = new KpiRollups(own.db, () => clock, 100);
      expect(await fresh.apply(changeFromTask(post('b', 4, true, '2026-10-30')))).toBe('applied');
      expect(await fresh.apply(changeFromTask(post('b', 3, false, '2026-10-30')))).toBe('stale');
      expect((await rollupOf('2026-10-30'))?.c).toMatchObject({ postShifts: 1, postAttended: 1 });
      expect(await r.compact()).toMatchObject({ steps: 0, contributions: 2 }); // b|2 and b|3
      expect(await ids(COLLECTIONS.kpiContributions)).toEqual(['task:a|2', 'task:b|4', 'task:c|1']);
    } finally {
      await own.drop();
    }
  });

  it('records the applied rev of an entity whose id holds dots under an escaped field name', async () => {
    expect(await rollups.apply(changeFromTask(post('t.7', 4, true, '2026-10-11')))).toBe('applied');
    expect((await rollup('2026-10-11'))?.applied).toEqual({ 'task:t%2E7': 4 });
  });
});
