// The call-side repositories' main operations, the same on SQLite and on PostgreSQL: incidents
// (numbered in memory, queue timing, abandoned calls), dispatch records, stats, seats, officers.
import t from 'tap';
import { IncidentsRepo, type NumberedIncident } from '../../../src/store/incidents-repo';
import { DispatchRepo } from '../../../src/store/dispatch-repo';
import { StatsRepo, transferStats } from '../../../src/store/stats-repo';
import { SeatsRepo } from '../../../src/store/seats-repo';
import { OfficersRepo } from '../../../src/store/officers-repo';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 10, 23, 9, 0, 0).getTime();

const incident = (id: number, over: Partial<NumberedIncident> = {}): NumberedIncident => ({
  id,
  number: `20261123-${String(id).padStart(6, '0')}`,
  callerNumber: `1380000${id}`,
  callerName: '',
  callerRaw: `<sip:1380000${id}@trunk>`,
  trunk: '110',
  channelId: `ch-${id}`,
  state: 'waiting',
  arrivedAt: AT + id * 1000,
  priority: 10,
  caseRef: null,
  ...over,
});

each('incidents: numbered in memory, queue timing, triage, abandoned calls and callbacks', async (t, open) => {
  const repo = new IncidentsRepo(await open());
  await repo.reserveNumbers('20261123', 50);
  await repo.reserveNumbers('20261123', 20);
  t.equal(await repo.lastNumber('20261123'), 50, 'a reservation never goes back');
  await repo.releaseNumbers('20261123', 3);
  t.equal(await repo.lastNumber('20261123'), 3, 'a clean shutdown gives back what it did not use');
  for (const id of [1, 2, 3]) await repo.insert(incident(id, id === 3 ? { caseRef: 'C-9' } : {}));
  t.same(await repo.numbering('20261123'), { maxId: 3, days: [{ day: '20261123', last: 3 }] });
  await t.rejects(repo.insert(incident(4, { channelId: 'ch-1' })), 'a channel has one incident');

  await repo.markOffered(1, AT + 1500);
  await repo.markOffered(1, AT + 1700);
  await repo.markAnswered(1, { at: AT + 2000, seatId: '1001', delivery: 'ring', seatChannelId: 'seat-ch', bridgeId: 'br-1' });
  await repo.setState(1, 'talking');
  await repo.classify(1, { police: true, category: 'theft', summary: 'bike stolen' });
  await repo.clearSeat(1);
  t.match(await repo.findByChannel('ch-1'), { id: 1, state: 'talking', offeredAt: AT + 1500, answeredAt: AT + 2000, seatId: '1001', delivery: 'ring', seatChannelId: null, bridgeId: 'br-1', police: 1, category: 'theft', summary: 'bike stolen' });
  t.equal((await repo.findByNumber('20261123-000003'))?.caseRef, 'C-9');
  await repo.setCaseRef(2, 'C-10');
  t.equal((await repo.findById(2))?.caseRef, 'C-10');

  await repo.markAbandoned(2, AT + 9000, 7000, 1);
  await repo.markAbandoned(2, AT + 9500, 7500, 2);
  t.match(await repo.listAbandoned(10, true), [{ number: '20261123-000002', at: AT + 9000, waitMs: 7000, position: 1, callbackAt: null }], 'the first report of an abandoned call counts');
  t.equal((await repo.findById(2))?.abandonedAt, AT + 9500, 'the incident keeps the last');
  await repo.markCallback(2, AT + 20000, '1002', 'answered');
  await repo.markCallback(2, AT + 30000, '1003', 'no_answer');
  t.same(await repo.listAbandoned(10, true), [], 'called back');
  t.match(await repo.listAbandoned(10, false), [{ number: '20261123-000002', callbackAt: AT + 20000, callbackSeat: '1003', callbackResult: 'no_answer' }]);
  await repo.markEnded(2, AT + 9000);
  t.same((await repo.listOpen()).map((r) => r.id), [1, 3]);
});

each('dispatch: first dispatch and first answer count, reports once, stats and alerts', async (t, open) => {
  const db = await open();
  const incidents = new IncidentsRepo(db);
  const repo = new DispatchRepo(db);
  for (const id of [1, 2, 3]) await incidents.insert(incident(id));
  t.equal(await repo.get(1), undefined);
  await repo.setLocation(1, { lon: 116.397128, lat: 39.916527, source: 'sip-pidf', accuracyM: 35.5, at: AT + 1100 });
  await repo.markDispatched(1, AT + 5000);
  await repo.markDispatched(1, AT + 9000);
  await repo.markAnswered(1, { officerId: '2001', unitId: 'PS1', at: AT + 13000 });
  await repo.markAnswered(1, { officerId: null, unitId: 'PS2', at: AT + 20000 });
  t.same(await repo.get(1), {
    location: { lon: 116.397128, lat: 39.916527, source: 'sip-pidf', accuracyM: 35.5, at: AT + 1100 },
    officerId: null, unitId: 'PS2', dispatchAt: AT + 5000, officerAnsweredAt: AT + 13000, officerTalkMs: 12000,
    signedForAt: null, onSceneAt: null, closedAt: null,
  }, 'coordinates kept to the last digit; the 30 s figure from the first answer');
  t.equal(await repo.markOnce(1, 'signed_for_at', AT + 30000), true);
  t.equal(await repo.markOnce(1, 'signed_for_at', AT + 40000), false);
  t.equal(await repo.markOnce(3, 'closed_at', AT + 50000), true, 'an incident never dispatched can be closed');
  t.equal(await repo.markOnce(3, 'closed_at', AT + 60000), false);
  await repo.markDispatched(2, AT + 10000);
  await repo.markAnswered(2, { officerId: '2002', unitId: 'PS1', at: AT + 60000 });
  t.same(await repo.stats(AT, AT + 10000), { dispatched: 2, answered: 2, within30s: 1, talkMs: [12000, 58000] });

  await incidents.addEvent(2, 'major_alert', { category: 'robbery' }, AT + 61000);
  t.same(await repo.alerts(5), [{ incident: '20261123-000002', at: AT + 61000, category: 'robbery', callerNumber: '13800002', state: 'waiting' }]);
  t.equal(await repo.hasAlert(2), true);
  t.equal(await repo.hasAlert(1), false);
});

each('stats: answer times of a period, 12345 hand-overs per local day and category', async (t, open) => {
  const db = await open();
  const incidents = new IncidentsRepo(db);
  for (const id of [1, 2, 3]) await incidents.insert(incident(id));
  // A text report taken by a seat: not a voice call's answer time.
  await incidents.insert(incident(4, { trunk: 'sms', arrivedAt: AT + 1500 }));
  await incidents.markAnswered(4, { at: AT + 1600, seatId: '1003', delivery: 'text', seatChannelId: '', bridgeId: '' });
  t.same(await new StatsRepo(db).recentCalls(AT, AT + 2500), [{ arrivedAt: AT + 1000, answeredAt: null, abandonedAt: null, endedAt: null }, { arrivedAt: AT + 2000, answeredAt: null, abandonedAt: null, endedAt: null }], 'the wallboard: voice calls only');
  await incidents.markOffered(1, AT + 1200);
  await incidents.markAnswered(1, { at: AT + 2500, seatId: '1001', delivery: 'nailed', seatChannelId: 's', bridgeId: 'b' });
  await incidents.markAnswered(2, { at: AT + 4000, seatId: '1002', delivery: 'odd', seatChannelId: 's2', bridgeId: 'b2' });
  t.same(await new StatsRepo(db).answerTimes(AT, AT + 2500), [
    { number: '20261123-000001', arrivedAt: AT + 1000, offeredAt: AT + 1200, answeredAt: AT + 2500, abandonedAt: null, seatId: '1001', delivery: 'nailed' },
    { number: '20261123-000002', arrivedAt: AT + 2000, offeredAt: null, answeredAt: AT + 4000, abandonedAt: null, seatId: '1002', delivery: null },
  ]);
  await incidents.classify(2, { police: false, category: 'car-moving', summary: null });
  await incidents.addEvent(1, 'transfer_failed', {}, AT + 5000);
  await incidents.addEvent(1, 'transfer_answered', {}, AT + 6000);
  await incidents.addEvent(2, 'transfer_answered', {}, AT + 6000);
  await incidents.addEvent(3, 'arrived', {}, AT + 6000);
  t.same(await transferStats(db, AT, AT + 86400000), [
    { day: '2026-11-23', category: null, transferred: 1, failed: 1 },
    { day: '2026-11-23', category: 'car-moving', transferred: 1, failed: 0 },
  ], 'local day, uncategorised first');
});

each('seats and officers: saved states, event log, roster, positions, duty', async (t, open) => {
  const db = await open();
  const seats = new SeatsRepo(db);
  await seats.save({ id: '1001', state: 'ready', reason: null, since: AT, idleSince: AT, nailedChannel: null });
  await seats.save({ id: '1001', state: 'not_ready', reason: 'break', since: AT + 1, idleSince: AT, nailedChannel: 'nail-1' });
  t.same(await seats.all(), [{ id: '1001', state: 'not_ready', reason: 'break', since: AT + 1, idleSince: AT, nailedChannel: 'nail-1' }]);
  await seats.addEvent('1001', 'state', { to: 'ready' }, AT);
  await seats.addEvent('1001', 'no_answer', { incident: 'x' }, AT + 1);
  t.same(await seats.events(1), [{ seatId: '1001', at: AT + 1, kind: 'no_answer', detail: { incident: 'x' } }]);

  const officers = new OfficersRepo(db);
  await officers.upsertRoster([{ id: '2001', name: 'Wang', unit: 'PS1', phone: 'PJSIP/2001', duty: 'on_duty' }]);
  t.equal(await officers.setDuty('2001', 'busy'), true);
  t.equal(await officers.setPosition('2001', { lon: 116.1, lat: 39.2, accuracyM: null, at: AT }), true);
  await officers.upsertRoster([
    { id: '2001', name: 'Wang Wei', unit: 'PS2', phone: 'PJSIP/2001', duty: 'on_duty' },
    { id: '2002', name: 'Li', unit: 'PS1', phone: '13900000000', duty: 'off_duty' },
  ]);
  t.same(await officers.get('2001'), { id: '2001', name: 'Wang Wei', unit: 'PS2', phone: 'PJSIP/2001', duty: 'busy', position: { lon: 116.1, lat: 39.2, accuracyM: null, at: AT } }, 'roster data wins, duty and position kept');
  t.same((await officers.all()).map((o) => o.id), ['2001', '2002']);
  t.equal(await officers.setDuty('nobody', 'busy'), false);
  t.equal(await officers.setPosition('nobody', { lon: 1, lat: 1, accuracyM: 1, at: AT }), false);
});
