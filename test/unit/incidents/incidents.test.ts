// Incidents numbered in memory and written behind, against a real SQLite file: a call has its
// number and its steps at once, reads show them before they are stored, and numbers never repeat
// across a restart (a crash skips the reserved rest; a clean stop gives it back).
import t from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { IncidentNumbers } from '../../../src/incidents/numbers';
import { IncidentWriter } from '../../../src/incidents/incident-writer';

const AT = new Date(2026, 10, 23, 9, 0, 0).getTime();
const call = (channelId: string, arrivedAt = AT) => ({ callerNumber: '13800000000', callerName: '', callerRaw: '', trunk: '110', channelId, state: 'arrived', arrivedAt, priority: 10 });

t.test('numbers: after the stored sequence, reserved ahead before use, per day; ids after the highest', async (t) => {
  const reserved: string[] = [];
  const n = new IncidentNumbers({ maxId: 41, days: [{ day: '20261123', last: 7 }] }, (day, last) => reserved.push(`${day}:${last}`), 4);
  t.same(n.next(AT), { id: 42, number: '20261123-000008' });
  t.same(reserved, ['20261123:12'], 'reserved before the first number was handed out');
  t.same([n.next(AT).number, n.next(AT).number], ['20261123-000009', '20261123-000010']);
  t.same(reserved, ['20261123:12'], 'still enough reserved');
  n.next(AT);
  t.same(reserved, ['20261123:12', '20261123:15'], 'topped up with half the block left');
  t.same(n.next(AT + 86_400_000), { id: 46, number: '20261124-000001' }, 'a new day starts at 1');
  t.same(n.used(), [{ day: '20261123', last: 11 }, { day: '20261124', last: 1 }]);
});

t.test('a call is numbered at once; reads show it before it is stored', async (t) => {
  const db = await Database.open(`${t.testdir({})}/i.sqlite`);
  t.teardown(() => db.close());
  const repo = new IncidentsRepo(db);
  const failing = { fail: true };
  // The store fails every batch until told otherwise: the incident lives in memory meanwhile.
  const store = repo.writeStore();
  const writer = new IncidentWriter<IncidentsRepo>({ batch: (fn) => (failing.fail ? Promise.reject(Object.assign(new Error('SQLITE_BUSY: locked'), { code: 'SQLITE_BUSY' })) : store.batch(fn)) }, undefined, { retryMinMs: 5, retryMaxMs: 10 });
  t.teardown(() => writer.stop(0));
  const incidents = new Incidents(repo, writer);
  await incidents.start(AT);
  const stamped: string[] = [];
  incidents.on('stamped', (s) => stamped.push(s.kind));
  const row = incidents.arrive({ ...call('c1'), caseRef: 'K-1' });
  t.match(row, { number: '20261123-000001', channelId: 'c1', caseRef: 'K-1' });
  await incidents.stamp(row.id, 'arrived', {}, AT);
  await incidents.moved(row.id, 'arrived', 'waiting', 'incident_opened');
  t.equal((await incidents.findByNumber(row.number)).id, row.id, 'found by number before it is stored');
  t.equal((await incidents.findByChannel('c1'))?.number, row.number, 'found by channel');
  t.equal((await incidents.list(10))[0]?.number, row.number, 'listed');
  const early = await incidents.get(row.number);
  t.same(early.timeline.map((e) => e.kind), ['arrived', 'state'], 'its steps, not stored yet');
  t.equal(await repo.findByNumber(row.number), undefined, 'nothing in the store yet');
  t.same(stamped, [], 'live screens hear of a step once it is stored');
  failing.fail = false;
  await incidents.written(row.id);
  const stored = await incidents.get(row.number);
  t.match(stored, { number: row.number, state: 'waiting', caseRef: 'K-1' });
  t.same(stored.timeline.map((e) => e.kind), ['arrived', 'state']);
  t.same(stamped, ['arrived', 'state']);
});

t.test('numbers never repeat across a restart: a crash skips the reserved rest, a clean stop gives it back', async (t) => {
  const path = `${t.testdir({})}/n.sqlite`;
  const run = async (storeTakesNothing = false) => {
    const db = await Database.open(path);
    const repo = new IncidentsRepo(db);
    const incidents = new Incidents(repo, new IncidentWriter<IncidentsRepo>(storeTakesNothing ? { batch: () => new Promise(() => undefined) } : repo.writeStore()));
    await incidents.start(AT);
    return { db, incidents };
  };
  // The store takes nothing after start, then the process dies: numbers a screen may have
  // shown never reached the store.
  const first = await run(true);
  const a = [1, 2, 3, 4].map((i) => first.incidents.arrive(call(`a${i}`)).number);
  t.same(a, ['20261123-000001', '20261123-000002', '20261123-000003', '20261123-000004']);
  const lost = a[3];
  await first.db.close();

  const second = await run();
  const b = second.incidents.arrive(call('b1')).number;
  t.ok(b > lost, `after a crash the next number (${b}) is past every number handed out (${lost})`);
  await second.incidents.written(0);
  t.equal(await second.incidents.stop(2000), 0, 'clean stop: everything written');
  await second.db.close();

  const third = await run();
  const c = third.incidents.arrive(call('c1')).number;
  t.equal(Number(c.slice(-6)), Number(b.slice(-6)) + 1, `after a clean stop no gap: ${b} then ${c}`);
  await third.incidents.stop(2000);
  await third.db.close();
});

t.test('open() waits for the row: a fallback call days old gets the next number of its own day', async (t) => {
  const db = await Database.open(`${t.testdir({})}/o.sqlite`);
  t.teardown(() => db.close());
  const repo = new IncidentsRepo(db);
  await repo.reserveNumbers('20261101', 9);
  const incidents = new Incidents(repo);
  await incidents.start(AT);
  const old = await incidents.open(call('f1', new Date(2026, 10, 1, 12).getTime()));
  t.equal(old.number, '20261101-000010');
  t.ok(await repo.findById(old.id), 'in the store when open() returns');
  await t.rejects(incidents.open(call('f1')), /could not be stored/, 'a row the store refuses (same channel) is an error');
});
