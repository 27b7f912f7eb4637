// The caller's location as the call arrives: what Asterisk read from the INVITE, else the lookup
// service by number; bad input is a timeline note, a slow lookup is given up, never an error.
import t from 'tap';
import { createServer } from 'node:http';
import pino from 'pino';
import { parseAsteriskGml } from '../../../src/dispatch/pidf-lo';
import { CallerLocator } from '../../../src/dispatch/caller-location';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { DispatchRepo } from '../../../src/store/dispatch-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { LocationInvalid } from '../../../src/dispatch/errors';

t.test("Asterisk's rendering of a PIDF-LO shape", async (t) => {
  t.same(parseAsteriskGml('GML', 'shape="Circle",crs="2d",pos="39.9052 116.3851",radius="35"'), { lon: 116.3851, lat: 39.9052, source: 'sip-pidf', accuracyM: 35 });
  t.same(parseAsteriskGml('gml', 'shape="Point",crs="3d",pos="39.9 116.4 44"'), { lon: 116.4, lat: 39.9, source: 'sip-pidf' }, '3-D point: height ignored, no accuracy');
  t.same(parseAsteriskGml('GML', 'shape="Sphere",pos="39.9 116.4 1",radius="12.5"'), { lon: 116.4, lat: 39.9, source: 'sip-pidf', accuracyM: 12.5 }, 'no crs: 2d');
  const bad: [string, string, RegExp][] = [
    ['civicAddress', 'country="CN",A1="Beijing"', /format "civicAddress" has no coordinates/],
    ['GML', 'shape="Polygon",crs="2d",posList="1 2 3 4 5 6"', /shape "Polygon" is not supported/],
    ['GML', 'shape="Circle",crs="2d",radius="3"', /Circle has no pos/],
    ['GML', 'shape="Point",crs="2d",pos="abc def"', /pos "abc def" is not "lat lon"/],
    ['GML', 'shape="Point",crs="2d",pos="116.4 39.9"', /latitude must be within -90..90, got 116.4/],
    ['GML', 'shape="Point",crs="4d",pos="39 116"', /coordinate system "4d" is not supported/],
  ];
  for (const [format, info, message] of bad) t.throws(() => parseAsteriskGml(format, info), { name: 'LocationInvalid', message }, info);
  t.ok(LocationInvalid);
});

t.test('location on arrival', async (t) => {
  const db = await Database.open(`${t.testdir({})}/l.sqlite`);
  t.teardown(() => db.close());
  const incidents = new Incidents(new IncidentsRepo(db));
  const repo = new DispatchRepo(db);
  let n = 0;
  const open = async () => (await incidents.open({ callerNumber: '1', callerName: '', callerRaw: '', trunk: '110', channelId: `c${++n}`, state: 'arrived', arrivedAt: Date.now(), priority: 10 })).id;
  const notes = async (id: number) => (await incidents.get((await db.get<{ number: string }>('SELECT number FROM incidents WHERE id = ?', [id]))!.number)).timeline;

  const server = createServer((req, res) => {
    const number = new URL(req.url ?? '/', 'http://x').searchParams.get('number');
    if (number === '13800000001') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"lon":116.39,"lat":39.9,"accuracyM":800}');
    if (number === '13800000002') return void setTimeout(() => res.writeHead(200).end('{"lon":116.39,"lat":39.9}'), 3000).unref();
    if (number === '13800000003') return void res.writeHead(200).end('{"lon":"east","lat":39.9}');
    if (number === '13800000004') return void res.writeHead(500).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/locate`;
  const locator = new CallerLocator(repo, incidents, { url, timeoutMs: 300 }, pino({ level: 'silent' }));

  const sip = await open();
  await locator.onArrival(sip, '13800000001', { header: '<cid:x@y>', format: 'GML', info: 'shape="Circle",crs="2d",pos="39.9052 116.3851",radius="35"', method: 'GPS' });
  t.match((await repo.get(sip))?.location, { lon: 116.3851, lat: 39.9052, source: 'sip-pidf', accuracyM: 35 }, 'the INVITE wins: no lookup');

  const looked = await open();
  await locator.onArrival(looked, '13800000001', undefined);
  t.match((await repo.get(looked))?.location, { lon: 116.39, lat: 39.9, source: 'lookup', accuracyM: 800 }, 'no location on the INVITE: the lookup answers');

  const unreadable = await open();
  await locator.onArrival(unreadable, '13800000009', { header: '<cid:x@y>', format: '', info: '', method: '' });
  t.match((await notes(unreadable)).map((e) => e.kind), ['location_unusable', 'location_unusable'], 'Asterisk could not read it, and the lookup does not know the number');
  t.equal(await repo.get(unreadable), undefined, 'no location kept');

  const slow = await open();
  const started = Date.now();
  await locator.onArrival(slow, '13800000002', undefined);
  t.ok(Date.now() - started < 2000, 'a slow lookup is given up after its timeout');
  t.match((await notes(slow)).find((e) => e.kind === 'location_unusable')?.detail, { source: 'lookup', reason: 'no answer within 300 ms' });

  for (const [number, reason] of [['13800000003', /lookup answer: longitude must be a number/], ['13800000004', /HTTP 500/]] as const) {
    const id = await open();
    await locator.onArrival(id, number, undefined);
    t.match((await notes(id)).find((e) => e.kind === 'location_unusable')?.detail, { source: 'lookup', reason }, `bad answer ${number}: a note`);
  }

  const down = new CallerLocator(repo, incidents, { url: 'http://127.0.0.1:1/locate', timeoutMs: 300 }, pino({ level: 'silent' }));
  const refused = await open();
  await down.onArrival(refused, '13800000001', undefined);
  t.match((await notes(refused)).find((e) => e.kind === 'location_unusable')?.detail, { reason: /^lookup failed: fetch failed/ }, 'lookup service down: a note, nothing else');
  const none = await open();
  await down.onArrival(none, 'anonymous', undefined);
  t.same(await notes(none), [], 'a withheld number is not looked up');
});
