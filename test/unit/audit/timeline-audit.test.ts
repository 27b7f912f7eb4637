// A write-behind batch's timeline rows get their audit entries in the same transaction: all of
// the batch in one append, linked to the chain; a batch that fails leaves neither rows nor entries.
import t from 'tap';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { AuditRepo } from '../../../src/store/audit-repo';
import { auditTimelineRows } from '../../../src/audit/timeline-audit';
import { checkChain } from '../../../src/audit/check';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 11, 7, 9, 0, 0).getTime();

each('timeline rows and their audit entries are written together', async (t, open) => {
  const db = await open();
  const repo = new IncidentsRepo(db);
  const store = repo.writeStore(auditTimelineRows);
  let number = '';
  await store.batch(async (tx) => {
    const made = await tx.create({ callerNumber: '13800000000', callerName: '', callerRaw: '', trunk: '110', channelId: 'c1', state: 'waiting', arrivedAt: AT, priority: 10 });
    number = made.number;
    await tx.addEvent(made.id, 'arrived', { trunk: '110' }, AT);
    await tx.addEvent(made.id, 'offered', { seat: '1001' }, AT + 5);
  });
  const audit = new AuditRepo(db);
  t.match(await audit.forIncident(number), [{ actor: 'system', action: 'call.arrived', incident: number }, { action: 'call.offered' }], 'an entry per row, with the incident number');
  t.equal((await checkChain(audit, [])).broken, undefined, 'linked to the chain');

  await t.rejects(
    store.batch(async (tx) => {
      await tx.addEvent(1, 'answered', {}, AT + 10);
      await tx.addEvent(999_999, 'no_such_incident', {}, AT + 11);
    }),
    'a batch with a bad row fails',
  );
  t.same((await repo.timeline(1)).map((e) => e.kind), ['arrived', 'offered'], 'none of its rows');
  t.equal((await audit.forIncident(number)).length, 2, 'and none of their entries');
});
