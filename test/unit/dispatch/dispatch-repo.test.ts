// The incident's dispatch record: first answer and first reports count, stats of a period, and
// one major alert per incident.
import t from 'tap';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { DispatchRepo } from '../../../src/store/dispatch-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { join } from 'node:path';
import { MajorAlerts } from '../../../src/dispatch/alerts';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { checkUnitWebhooks } from '../../../src/dispatch/incident-record';

t.test('dispatch record', async (t) => {
  const db = await Database.open(`${t.testdir({})}/d.sqlite`);
  t.teardown(() => db.close());
  const incidents = new Incidents(new IncidentsRepo(db));
  const repo = new DispatchRepo(db);
  const open = async (arrivedAt: number, n: string) => incidents.open({ callerNumber: n, callerName: '', callerRaw: '', trunk: '110', channelId: n, state: 'talking', arrivedAt, priority: 10 });

  const a = await open(1_000_000, 'a');
  t.equal(await repo.get(a.id), undefined, 'nothing until something is known');
  await repo.setLocation(a.id, { lon: 116.4, lat: 39.9, source: 'sip-pidf', accuracyM: 35, at: 1_000_100 });
  await repo.markDispatched(a.id, 1_005_000);
  await repo.markDispatched(a.id, 1_009_000);
  await repo.markAnswered(a.id, { officerId: '2001', unitId: 'PS1', at: 1_012_000 });
  await repo.markAnswered(a.id, { officerId: null, unitId: 'PS1', at: 1_020_000 });
  t.match(await repo.get(a.id), { location: { lon: 116.4, lat: 39.9, source: 'sip-pidf', accuracyM: 35 }, dispatchAt: 1_005_000, officerAnsweredAt: 1_012_000, officerTalkMs: 12_000, unitId: 'PS1' }, 'the first dispatch and the first answer count');
  t.equal(await repo.markOnce(a.id, 'signed_for_at', 1_030_000), true);
  t.equal(await repo.markOnce(a.id, 'signed_for_at', 1_040_000), false, 'a second report is refused');
  t.equal((await repo.get(a.id))?.signedForAt, 1_030_000);
  const fresh = await open(1_500_000, 'closed without dispatch');
  t.equal(await repo.markOnce(fresh.id, 'closed_at', 1_600_000), true, 'an incident never dispatched can be closed');
  t.equal(await repo.markOnce(fresh.id, 'closed_at', 1_700_000), false);

  const slow = await open(2_000_000, 'b');
  await repo.markDispatched(slow.id, 2_010_000);
  await repo.markAnswered(slow.id, { officerId: '2002', unitId: 'PS1', at: 2_045_000 });
  const unanswered = await open(3_000_000, 'c');
  await repo.markDispatched(unanswered.id, 3_010_000);
  await open(3_500_000, 'not dispatched');
  t.same(await repo.stats(0, 4_000_000), { dispatched: 3, answered: 2, within30s: 1, talkMs: [12_000, 45_000] });
  t.same(await repo.stats(1_500_000, 4_000_000), { dispatched: 2, answered: 1, within30s: 0, talkMs: [45_000] }, 'by arrival time');

  const alerts = new MajorAlerts(incidents, repo, ['robbery'], pino({ level: 'silent' }));
  await alerts.classified({ ...a, category: 'crime' });
  await alerts.classified({ ...slow, category: 'robbery' });
  await alerts.classified({ ...slow, category: 'robbery' });
  t.match(await alerts.list(10), [{ incident: slow.number, category: 'robbery', callerNumber: 'b' }]);
  t.equal((await alerts.list(10)).length, 1, 'one alert per incident');
});

t.test('unit webhooks name units of the grid, or the start stops with the key named', async (t) => {
  const { grid } = loadDispatchData(join(__dirname, '../../../../config/grid'));
  t.same(checkUnitWebhooks({ PS1: 'https://ps1.example/incidents' }, grid), { PS1: 'https://ps1.example/incidents' });
  t.throws(() => checkUnitWebhooks({ PS9: 'https://x.example/' }, grid), { name: 'ConfigError', message: 'config: dispatch.unitWebhooks names unknown unit "PS9" (units are in the grid\'s units.json)' });
});
