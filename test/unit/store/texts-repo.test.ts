// Text conversations and messages, the same on SQLite and on PostgreSQL: a gateway message id is
// stored once, an outgoing message shows its outbox row's delivery, and the incident's export
// carries every text.
import t from 'tap';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { OutboxRepo } from '../../../src/store/outbox-repo';
import { TextsRepo } from '../../../src/store/texts-repo';
import { exportIncident } from '../../../src/audit/export';
import { loadOrCreateKey } from '../../../src/audit/keys';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 11, 7, 9, 0, 0).getTime();

each('texts: one conversation per incident, a message id once, delivery read from the outbox', async (t, open) => {
  const db = await open();
  await new IncidentsRepo(db).insert({ id: 1, number: '20261207-000001', callerNumber: '13800000000', callerName: '', callerRaw: '13800000000', trunk: 'sms', channelId: 'text-MO-1', state: 'text', arrivedAt: AT, priority: 20, caseRef: null });
  t.same(await new IncidentsRepo(db).listOpen(), [], 'an open text incident is no call for a restart to re-attach');
  const repo = new TextsRepo(db);
  const id = await repo.openConversation({ incidentId: 1, number: '13800000000', at: AT });
  t.match(await repo.openFor('13800000000'), { id, incident: '20261207-000001', state: 'waiting', seatId: null, closedAt: null });
  t.ok(await repo.addMessage({ conversationId: id, direction: 'in', gatewayId: 'MO-1', body: '救命', sha256: 'a'.repeat(64), at: AT, sentAt: AT - 5 }));
  t.notOk(await repo.addMessage({ conversationId: id, direction: 'in', gatewayId: 'MO-1', body: '救命', sha256: 'a'.repeat(64), at: AT + 1 }), 'the same gateway id again: nothing written');
  t.ok(await repo.hasGatewayMessage('MO-1'));
  t.ok(await repo.addMessage({ conversationId: null, direction: 'in', gatewayId: 'MO-2', body: '5', sha256: 'b'.repeat(64), at: AT + 2 }), 'a text taken by a reply handler has no conversation');
  t.ok(await repo.addMessage({ conversationId: id, direction: 'out', outboxKey: 'sms-1', body: '收到', sha256: 'c'.repeat(64), at: AT + 3, author: 'taker1001' }));
  const outbox = new OutboxRepo(db);
  const row = await outbox.insert({ kind: 'sms', url: 'http://gw/send', headers: {}, body: '{}', key: 'sms-1', at: AT + 3 });
  t.match((await repo.messages(id)).map((m) => [m.direction, m.deliveredAt]), [['in', null], ['out', null]], 'queued');
  t.same(await repo.undeliveredOut(), [{ outboxKey: 'sms-1', incidentId: 1 }]);
  await outbox.markDelivered(row.id, AT + 9);
  t.same(await repo.delivered(['sms-1', 'sms-unknown']), [{ key: 'sms-1', deliveredAt: AT + 9 }]);
  t.match(await repo.messages(id), [{ body: '救命', sentAt: AT - 5 }, { body: '收到', deliveredAt: AT + 9, attempts: 1, author: 'taker1001' }], 'sent');
  t.same(await repo.undeliveredOut(), []);
  await repo.setState(id, 'with_seat', '1001');
  await repo.setState(id, 'closed', null, AT + 20);
  t.match(await repo.byIncident('20261207-000001'), { state: 'closed', seatId: '1001', closedAt: AT + 20 }, 'the seat it had is kept');
  t.equal(await repo.openFor('13800000000'), undefined, 'closed: a new text opens a new one');
  t.same(await repo.listOpen(), []);

  const doc = await exportIncident(db, '20261207-000001', loadOrCreateKey(`${t.testdir({})}/key.pem`), AT + 30);
  t.match(doc?.record.texts, [{ kind: 'sms_in', text: '救命', sha256: 'a'.repeat(64), gatewayId: 'MO-1' }, { kind: 'sms_out', text: '收到', author: 'taker1001', outboxKey: 'sms-1', deliveredAt: AT + 9 }], 'the export carries the conversation');
});
