// Daily spot-check: the draw (unbiased, once per day, handled calls only) and scoring (validated, final).
import t, { type Test } from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { SPOT_CHECKS_MIGRATION, SpotChecksRepo } from '../../../src/store/spot-checks-repo';
import { seeded } from '../../support/seeded';
import { parseDay, sample, SpotCheckError, SpotChecks, type SpotCheckOptions } from '../../../src/recording/spot-check';

const DAY = '2026-11-23';
const T0 = new Date(2026, 10, 23, 8, 0).getTime();
const NOW = new Date(2026, 10, 24, 0, 30).getTime(); // the morning after: the whole day is in

interface Fixture {
  db: Database;
  repo: SpotChecksRepo;
  incidents: IncidentsRepo;
  /** Incident numbers of the day's handled calls. */
  handled: Set<string>;
  addCall(arrivedAt: number, kind: 'handled' | 'open' | 'abandoned'): Promise<string>;
  service(opts?: Partial<SpotCheckOptions>): SpotChecks;
}

async function setup(t: Test): Promise<Fixture> {
  const db = await Database.open(`${t.testdir({})}/s.sqlite`);
  // Until the lead appends SPOT_CHECKS_MIGRATION to MIGRATIONS; afterwards this adds nothing.
  if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spot_checks'"))) await db.exec(SPOT_CHECKS_MIGRATION);
  t.teardown(() => db.close());
  const incidents = new IncidentsRepo(db);
  const recordings = new RecordingsRepo(db);
  const repo = new SpotChecksRepo(db);
  let n = 0;
  const addCall = async (arrivedAt: number, kind: 'handled' | 'open' | 'abandoned') => {
    n += 1;
    const inc = await incidents.create({ callerNumber: `1380000${String(n).padStart(4, '0')}`, callerName: '', callerRaw: '', trunk: '110', channelId: `ch${n}`, state: 'ended', arrivedAt, priority: 10 });
    if (kind !== 'abandoned') await incidents.markAnswered(inc.id, { at: arrivedAt + 1_000, seatId: '1001', delivery: 'ring', seatChannelId: `s${n}`, bridgeId: `b${n}` });
    if (kind !== 'open') await incidents.markEnded(inc.id, arrivedAt + 60_000);
    if (kind === 'handled' && n % 2 === 0) {
      for (const seq of [1, 2]) {
        await recordings.insert({ incidentId: inc.id, seq, name: `r${n}-${seq}`, path: `x/${n}/${seq}.wav`, source: 'bridge', seatId: '1001', startedAt: arrivedAt, endedAt: arrivedAt + 1, durationMs: 1, size: 1, sha256: '0'.repeat(64) });
      }
    }
    return inc.number;
  };
  const handled = new Set<string>();
  for (let i = 0; i < 15; i++) handled.add(await addCall(T0 + i * 600_000, 'handled'));
  await addCall(T0 + 20_000, 'open'); // answered, still going: not handled yet
  await addCall(T0 + 30_000, 'abandoned'); // nobody answered: nothing to review
  await addCall(new Date(2026, 10, 22, 23, 59).getTime(), 'handled'); // the day before
  await addCall(new Date(2026, 10, 24, 0, 0).getTime(), 'handled'); // the day after, from midnight
  const service = (opts: Partial<SpotCheckOptions> = {}) => new SpotChecks(repo, { sampleSize: 10, random: seeded(1), clock: () => NOW, ...opts });
  return { db, repo, incidents, handled, addCall, service };
}

const codeOf = (code: string) => ({ name: 'SpotCheckError', code });

t.test('sample(): the right size, distinct, and every item equally likely', async (t) => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  t.same(sample(items, 20, seeded(3)).sort((a, b) => a - b), items, 'asking for more than there are: all of them');
  t.same(sample(items, 3, seeded(4)), sample(items, 3, seeded(4)), 'the same seed, the same sample');
  t.same(items, Array.from({ length: 10 }, (_, i) => i), 'the input is not changed');
  const counts = new Array<number>(10).fill(0);
  const random = seeded(5);
  const runs = 20_000;
  let distinct = true;
  for (let r = 0; r < runs; r++) {
    const s = sample(items, 3, random);
    distinct &&= new Set(s).size === 3;
    for (const i of s) counts[i]! += 1;
  }
  t.ok(distinct, 'never the same item twice in one sample');
  // Expected 0.3 each; 4 standard deviations of a binomial(20000, 0.3) share is about 0.013.
  for (const [i, c] of counts.entries()) t.ok(Math.abs(c / runs - 0.3) < 0.013, `item ${i} drawn ${((100 * c) / runs).toFixed(1)}% of the time`);
});

t.test('parseDay: real calendar days only, local bounds', async (t) => {
  t.same(parseDay(DAY), { day: DAY, from: new Date(2026, 10, 23).getTime(), to: new Date(2026, 10, 24).getTime() });
  for (const bad of ['2026-02-30', '2026-13-01', '0099-01-01', '20261123', '2026-1-5', '']) t.throws(() => parseDay(bad), codeOf('BAD_DAY'), bad);
});

t.test('draw: only the day\'s handled calls, the configured size, once per day', async (t) => {
  const f = await setup(t);
  const first = await f.service().draw(DAY);
  t.equal(first.created, true);
  t.equal(first.items.length, 10, 'the configured default size');
  t.equal(first.drawnAt, NOW);
  for (const item of first.items) {
    t.ok(f.handled.has(item.incidentNumber), `${item.incidentNumber} is a handled call of the day`);
    t.equal(item.score, null);
  }
  t.equal(new Set(first.items.map((i) => i.incidentNumber)).size, 10, 'no call twice');

  // Another seed, another size, later: still the same sample.
  const again = await f.service({ random: seeded(99), clock: () => NOW + 3_600_000 }).draw(DAY, 3);
  t.equal(again.created, false);
  t.same(again.items, first.items, 'drawing again returns the same sample');
  t.same(await f.service().list(DAY), { day: DAY, drawnAt: NOW, items: first.items });

  const other = await f.service({ random: seeded(2) }).draw('2026-11-22', 5);
  t.equal(other.items.length, 1, 'a day with fewer handled calls than the size: all of them');
  t.match(other.items[0], { day: '2026-11-22', seatId: '1001', recordings: 2 });
});

t.test('draw: the seed decides, items carry times and recordings', async (t) => {
  const a = await setup(t);
  const b = await setup(t);
  const numbers = async (f: Fixture, seed: number) => (await f.service({ random: seeded(seed) }).draw(DAY, 4)).items.map((i) => i.incidentNumber).sort();
  t.same(await numbers(a, 7), await numbers(b, 7), 'the same seed on the same calls: the same sample');
  const item = (await a.service().list(DAY)).items[0]!;
  t.equal(item.answeredAt - item.arrivedAt, 1_000);
  t.equal(item.endedAt - item.arrivedAt, 60_000);
  t.equal(item.recordings, Number(item.incidentNumber.slice(-6)) % 2 === 0 ? 2 : 0, 'the incident\'s recorded pieces');
});

t.test('draw: nothing to draw, two draws at once, refusals', async (t) => {
  const f = await setup(t);
  const empty = await f.service().draw('2026-11-20');
  t.same(empty, { day: '2026-11-20', drawnAt: null, items: [], created: false }, 'no handled calls: no sample');
  await f.addCall(new Date(2026, 10, 20, 9, 0).getTime(), 'handled');
  t.equal((await f.service().draw('2026-11-20')).items.length, 1, 'so a later draw can still find one');

  const [x, y] = await Promise.all([f.service({ random: seeded(11) }).draw(DAY, 5), f.service({ random: seeded(12) }).draw(DAY, 5)]);
  t.same([x.created, y.created].sort(), [false, true], 'one of two simultaneous draws wins');
  t.same(x.items, y.items, 'and both return its sample');

  const svc = f.service();
  await t.rejects(svc.draw('2026-11-25'), codeOf('BAD_DAY'), 'a day that has not begun');
  await t.rejects(svc.draw('2026-02-30'), codeOf('BAD_DAY'));
  await t.rejects(svc.draw(DAY, 0), codeOf('BAD_SAMPLE_SIZE'));
  await t.rejects(svc.draw(DAY, 1.5), codeOf('BAD_SAMPLE_SIZE'));
  await t.rejects(svc.draw(DAY, 201), codeOf('BAD_SAMPLE_SIZE'));
  t.same((await f.service({ clock: () => T0 + 3_600_000 }).list()).day, DAY, 'no day: today, local time');
});

t.test('score: validated, kept with the incident, final', async (t) => {
  const f = await setup(t);
  const svc = f.service({ clock: () => NOW + 5_000 });
  const [item] = (await svc.draw(DAY, 2)).items;
  for (const bad of [{ speed: 0 }, { speed: 6 }, { attitude: 2.5 }, { correctness: Number.NaN }, { note: 'x'.repeat(1001) }]) {
    await t.rejects(svc.score(item!.id, 'li', { speed: 3, attitude: 3, correctness: 3, ...bad }), codeOf('BAD_SCORE'), JSON.stringify(bad).slice(0, 40));
  }
  t.equal((await svc.list(DAY)).items.find((i) => i.id === item!.id)?.score, null, 'a refused score leaves nothing');

  const scored = await svc.score(item!.id, 'supervisor-li', { speed: 4, attitude: 5, correctness: 3, note: 'x'.repeat(1000) });
  t.same(scored.score, { speed: 4, attitude: 5, correctness: 3, note: 'x'.repeat(1000), scorer: 'supervisor-li', scoredAt: NOW + 5_000 });
  t.same((await svc.list(DAY)).items.find((i) => i.id === item!.id), scored, 'listed with its score');

  const err = await svc.score(item!.id, 'supervisor-wang', { speed: 1, attitude: 1, correctness: 1 }).catch((e: unknown) => e);
  t.ok(err instanceof SpotCheckError && err.code === 'SPOT_CHECK_SCORED', 'scoring twice is refused');
  t.match((err as Error).message, /supervisor-li/, 'and says who scored');
  t.equal((await f.repo.find(item!.id))?.scorer, 'supervisor-li', 'the first score stands');
  await t.rejects(svc.score(987_654, 'li', { speed: 1, attitude: 1, correctness: 1 }), codeOf('SPOT_CHECK_NOT_FOUND'));
});
