// The follow-ups' table, the same on SQLite and on PostgreSQL: one per incident, claimed once,
// rescheduled, finished, verified once, calls in progress taken back after a restart, and the
// finished ones of a period for the statistics. (PostgreSQL: run through /work/e2e-lock.sh.)
import t from 'tap';
import { IncidentsRepo, type NumberedIncident } from '../../../src/store/incidents-repo';
import { FollowUpsRepo, type NewFollowUp } from '../../../src/store/followups-repo';
import { DispatchRepo } from '../../../src/store/dispatch-repo';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 11, 7, 12, 0).getTime();

const followUp = (incidentId: number, dueAt = AT): NewFollowUp => ({ incidentId, channel: 'voice', reason: 'major', number: `139${incidentId}`, seatId: '1001', unitId: incidentId === 1 ? 'PS1' : null, scheduledAt: AT, dueAt });

each('schedule, claim, retry, finish, verify, statistics', async (t, open) => {
  const db = await open();
  const incidents = new IncidentsRepo(db);
  for (let id = 1; id <= 4; id++) {
    const row: NumberedIncident = { id, number: `20261207-${String(id).padStart(6, '0')}`, callerNumber: `139${id}`, callerName: '', callerRaw: '', trunk: '110', channelId: `ch-${id}`, state: 'ended', arrivedAt: AT, priority: 10, caseRef: null };
    await incidents.insert(row);
  }
  const repo = new FollowUpsRepo(db);
  const a = await repo.insert(followUp(1));
  const b = await repo.insert(followUp(2, AT + 1000));
  const c = await repo.insert(followUp(3, AT + 5000));
  t.ok(a && b && c);
  t.equal(await repo.insert(followUp(1)), undefined, 'one per incident');
  t.same((await repo.due(AT + 1000, 10)).map((r) => r.id), [a, b], 'due ones, oldest first');
  t.equal(await repo.nextDueAt(), AT);
  t.ok(await repo.claim(a!));
  t.notOk(await repo.claim(a!), 'claimed once');
  await repo.reschedule(a!, AT + 60_000, 'busy');
  t.match(await repo.find(a!), { state: 'scheduled', attempts: 1, dueAt: AT + 60_000, lastResult: 'busy', incident: '20261207-000001', unitId: 'PS1' });
  await repo.claim(a!);
  await repo.answered(a!, AT + 70_000, { speed: 5, attitude: 2, efficiency: null });
  t.match(await repo.find(a!), { state: 'answered', attempts: 2, speed: 5, attitude: 2, efficiency: null, finishedAt: AT + 70_000 });
  t.ok(await repo.verify(a!, { answer: 'checked', by: 'PS1 duty', at: AT + 80_000 }));
  t.notOk(await repo.verify(a!, { answer: 'again', by: 'x', at: AT + 90_000 }), 'verified once');
  await repo.claim(b!);
  await repo.notReached(b!, AT + 75_000, 'no_answer');
  await repo.claim(c!);
  t.equal(await repo.interrupted(AT + 100_000), 1, 'a call in progress at a restart is scheduled again');
  t.match(await repo.find(c!), { state: 'scheduled', dueAt: AT + 100_000, lastResult: 'interrupted', attempts: 1 });
  t.same((await repo.finishedBetween(AT, AT + 80_000)).map((r) => [r.id, r.state]), [[a, 'answered'], [b, 'not_reached']]);
  t.match(await repo.forIncident(2), { id: b, state: 'not_reached' });
  const dispatch = new DispatchRepo(db);
  await dispatch.markOnce(4, 'closed_at', AT + 1000);
  await dispatch.markOnce(1, 'closed_at', AT + 1000);
  t.same(await repo.closedWithout(AT), [{ incidentId: 4, closedAt: AT + 1000 }], 'closed without a follow-up row');
});
