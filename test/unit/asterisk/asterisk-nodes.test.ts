// One Asterisk node (the default): its connection and AriTelephony alone, the router nowhere in
// the path. Several (ari.nodes): one connection each, the router over them.
import t from 'tap';
import { AriConnection } from '../../../src/asterisk/ari-connection';
import { AriTelephony } from '../../../src/asterisk/ari-telephony';
import { AsteriskNodes } from '../../../src/asterisk/asterisk-nodes';
import { NodeRoutedTelephony } from '../../../src/asterisk/node-router';
import { DEFAULTS } from '../../../src/config/schema';
import { silentLog } from '../../support/fake-telephony';

t.test('one node: the connection and its AriTelephony, as before issue #16', async (t) => {
  const nodes = new AsteriskNodes(DEFAULTS.ari, silentLog());
  t.teardown(() => nodes.stop());
  t.ok(nodes.events instanceof AriConnection, 'events straight from the one connection');
  t.ok(nodes.telephony instanceof AriTelephony, 'requests straight to it');
  t.equal(nodes.telephony.sameNode, undefined, 'no node question for the queue to ask');
  t.equal(nodes.links.length, 1);
  t.equal(nodes.eventsReceived, nodes.links[0]!.ari.eventsReceived);
});

t.test('several nodes: a connection to each, the router over them', async (t) => {
  const nodes = new AsteriskNodes({ ...DEFAULTS.ari, nodes: [{ name: 'A', url: 'http://127.0.0.1:1' }, { name: 'B', url: 'http://127.0.0.1:2' }] }, silentLog());
  t.teardown(() => nodes.stop());
  t.ok(nodes.telephony instanceof NodeRoutedTelephony);
  t.equal(nodes.events, nodes.telephony, 'events merged by the router');
  t.same(nodes.links.map((l) => l.name), ['A', 'B']);
  t.same(nodes.status(), { up: false, since: undefined, attempts: 0 }, 'down until a node is up');
});
