import t from 'tap';
import { searchRecordings } from '../../../src/store/recordings-search';
import { RecordingAccessRepo } from '../../../src/store/recording-access-repo';
import { setup, T0 } from './helpers';

t.test('search: filters by incident, caller number, seat and start time; newest first; paged by id', async (t) => {
  const { app, db, ids, incidents } = await setup(t);
  const ofQuery = async (q: Record<string, unknown>) => (await searchRecordings(db, { limit: 10, ...q })).map((r) => r.id);
  t.same(await ofQuery({}), [ids[2], ids[1], ids[0]]);
  t.same(await ofQuery({ incident: incidents[0] }), [ids[1], ids[0]]);
  t.same(await ofQuery({ callerNumber: '13900139000' }), [ids[2]]);
  t.same(await ofQuery({ callerNumber: '1390' }), [], 'caller number is an exact match');
  t.same(await ofQuery({ seat: '1001' }), [ids[2], ids[0]]);
  t.same(await ofQuery({ from: T0 + 1, to: T0 + 60_000 }), [ids[1]], '[from, to)');
  t.same(await ofQuery({ seat: '1001', incident: incidents[0] }), [ids[0]]);
  t.same(await ofQuery({ beforeId: ids[2] }), [ids[1], ids[0]]);

  const get = async (url: string) => app.inject({ url });
  const p1 = (await get('/recordings?limit=2')).json();
  t.same(p1.items.map((r: { id: number }) => r.id), [ids[2], ids[1]]);
  t.match(p1.items[0], { incidentNumber: incidents[1], callerNumber: '13900139000', seatId: '1001', seq: 1, durationMs: 2_000 });
  t.notOk('path' in p1.items[0], 'the storage layout is not part of the API');
  const p2 = (await get(`/recordings?limit=2&before=${p1.next}`)).json();
  t.same(p2, { items: [p2.items[0]], next: null });
  t.equal(p2.items[0].id, ids[0]);
  t.same((await get(`/recordings?seat=1001&callerNumber=13800138000`)).json().items.map((r: { id: number }) => r.id), [ids[0]]);

  const one = await get(`/recordings/${ids[1]}`);
  t.equal(one.statusCode, 200);
  t.match(one.json(), { id: ids[1], incidentNumber: incidents[0], seatId: '1002', callerNumber: '13800138000' });
  t.match((await get('/recordings/999')).json(), { error: 'RECORDING_NOT_FOUND', message: 'no recording 999' });
  t.equal((await get('/recordings/999')).statusCode, 404);
});

t.test('search: bad input is a 400 that names the field', async (t) => {
  const { app } = await setup(t);
  const bad = async (qs: string, message: RegExp) => {
    const res = await app.inject({ url: `/recordings?${qs}` });
    t.equal(res.statusCode, 400, qs);
    t.match(res.json(), { error: 'BAD_REQUEST', message }, qs);
  };
  await bad('incident=2026-1', /\/incident must match pattern/);
  await bad('from=yesterday', /\/from must be integer/);
  await bad('from=10&to=5', /from \(10\) must be before to \(5\)/);
  await bad('limit=0', /\/limit must be >= 1/);
  await bad('limit=501', /\/limit must be <= 500/);
  await bad('before=abc', /\/before must match pattern/);
  await bad('seat=10%2701', /\/seat must match pattern/);
  await bad('officer=7', /must NOT have additional properties/);
  t.equal((await app.inject({ url: '/recordings/abc' })).statusCode, 400);
});

t.test('access log: newest first, filtered by recording, paged; the repo has no way to change a row', async (t) => {
  const { db, ids } = await setup(t);
  const repo = new RecordingAccessRepo(db);
  for (const [i, id] of [ids[0], ids[1], ids[0]].entries()) {
    await repo.record({ recordingId: id!, at: T0 + i, who: `u${i}`, action: i === 1 ? 'download' : 'listen', remote: '127.0.0.1', range: i === 2 ? 'bytes=0-9' : null });
  }
  t.same((await repo.list({ limit: 10 })).map((r) => r.who), ['u2', 'u1', 'u0']);
  const mine = await repo.list({ recordingId: ids[0], limit: 1 });
  t.match(mine, [{ recordingId: ids[0], who: 'u2', action: 'listen', range: 'bytes=0-9', at: T0 + 2 }]);
  t.same((await repo.list({ recordingId: ids[0], limit: 5, beforeId: mine[0]!.id })).map((r) => r.who), ['u0']);
  const methods = Object.getOwnPropertyNames(RecordingAccessRepo.prototype).filter((m) => m !== 'constructor');
  t.same(methods.sort(), ['list', 'record']);
});
