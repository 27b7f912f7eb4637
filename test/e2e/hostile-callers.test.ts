// Callers the network sends oddly still reach a call-taker, and the incident keeps what was sent:
// a From header that is not UTF-8 was stored as '' (ARI's JSON could not carry it); an INVITE
// with an empty user part in From was dropped by pjproject with no response and no incident
// (issue #14). Every call here goes the production way: the 110 carrier (SIPp on 127.0.0.2) sends
// to the SIP edge (Kamailio, scripts/sip-edge.sh), which relays to the sandbox Asterisk from the
// 110 trunk's address; the edge makes an unusable From anonymous and passes the original on.
import t, { type Test } from 'tap';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, sipp, waitFor, workDir, seatPhone, registered, post, type Service } from '../support/harness';
import { startEdge } from '../support/edge';

interface Incident {
  number: string;
  callerNumber: string;
  callerName: string;
  callerRaw: string;
  arrivedAt: number;
  answeredAt: number | null;
  abandonedAt: number | null;
  seatId: string | null;
  timeline: { kind: string }[];
}

/** The newest incident that arrived after `since`, once `done` holds for it. */
const incidentSince = (service: Service, since: number, what: string, done: (i: Incident) => unknown) =>
  waitFor(
    what,
    async () => {
      const newest = (await service.get<{ items: Incident[] }>('/incidents?limit=1')).body.items[0];
      if (!newest || newest.arrivedAt < since - 1000 || !done(newest)) return undefined;
      return (await service.get<Incident>(`/incidents/${newest.number}`)).body;
    },
    30000,
  );

/** The first line of each reply to one UDP datagram sent from 127.0.0.2, for `waitMs`. */
function sendRaw(to: string, build: (localPort: number) => string, waitMs = 3000): Promise<string[]> {
  const [host, port] = to.split(':');
  const sock = createSocket('udp4');
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString('latin1').split('\r\n')[0]!));
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.2', () => {
      sock.send(build(sock.address().port).replace(/\n/g, '\r\n'), Number(port), host, (err) => err && reject(err));
      setTimeout(() => sock.close(() => resolve(replies)), waitMs);
    });
  });
}

t.test('hostile callers: answered, and stored as sent', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'hostile');
  const edge = await startEdge(t, 'hostile', [sandbox], { logDir });
  await waitFor('the edge holds its node for up', async () => (await edge.nodes()).get(`sip:127.0.0.1:${sandbox.sipPort}`)?.startsWith('A'));
  const service = await startConfiguredService(t, sandbox, logDir, { seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }] });
  await seatPhone(t, sandbox, '1001', { logDir, stayS: 160, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  t.equal((await post(service, '/seats/1001/login')).status, 200);

  /** One call from the 110 carrier through the edge with this From header (bytes, without the tag). */
  const call = async (t: Test, from: Buffer, holdS = 3, extra: string[] = []) => {
    const file = join(logDir, `from-${Date.now()}.csv`);
    writeFileSync(file, Buffer.concat([Buffer.from('SEQUENTIAL\n'), from, Buffer.from(';\n')]));
    const since = Date.now();
    const caller = await sipp(t, 'caller-from.xml', ['-s', '110', '-inf', file, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', `${holdS + 40}s`, '-timeout_error', ...extra], { sandbox, to: edge.entrance, ip: '127.0.0.2', logDir });
    const incident = await incidentSince(service, since, 'the call answered by a call-taker', (i) => i.answeredAt);
    t.equal(incident.seatId, '1001', 'by the call-taker at 1001');
    return { incident, caller };
  };

  await t.test('a From header that is not UTF-8: relayed untouched, its bytes kept, escaped', async (t) => {
    const from = Buffer.concat([Buffer.from('"'), Buffer.from([0xff, 0xfe]), Buffer.from('Zhang" <sip:13800000011@127.0.0.2>')]);
    const { incident, caller } = await call(t, from);
    t.equal(await caller.done, 0, 'the caller was answered, talked and hung up');
    t.equal(incident.callerRaw.replace(/;tag=.*$/, ''), '"\\xFF\\xFEZhang" <sip:13800000011@127.0.0.2>', 'the From header, whole, with \\xHH for bytes that are not UTF-8');
    t.equal(incident.callerNumber, '13800000011');
  });

  // pjproject's parser rejects `sip:@host` in sip_transport.c and drops the packet before res_pjsip
  // looks for an endpoint; the edge rewrites such a From's URI to <sip:anonymous@anonymous.invalid> (and
  // restores it on everything it sends back), and passes the original in X-CTI110-Original-From.
  await t.test('an empty user part in From: answered as an unknown caller', async (t) => {
    const { incident, caller } = await call(t, Buffer.from('<sip:@127.0.0.2>'));
    t.equal(await caller.done, 0, 'the caller was answered, talked and hung up (its ACK and BYE through the edge)');
    t.equal(incident.callerNumber, 'anonymous', 'an unknown caller');
    t.equal(incident.callerName, '', 'no name: none was sent');
    t.match(incident.callerRaw, /^<sip:@127\.0\.0\.2>;tag=/, 'the From header as the carrier sent it');
  });

  // Worse than an empty user: a From header Kamailio itself cannot parse (a space in the user).
  // No transaction can be built on it, so the edge replaces the header in the message itself.
  await t.test('a From header no parser takes: answered as an unknown caller', async (t) => {
    const { incident, caller } = await call(t, Buffer.from('"Li" <sip:138 0000@127.0.0.2>'));
    t.equal(await caller.done, 0, 'the caller was answered, talked and hung up (its BYE repaired the same way)');
    t.equal(incident.callerNumber, 'anonymous', 'an unknown caller');
    t.match(incident.callerRaw, /^"Li" <sip:138 0000@127\.0\.0\.2>;tag=/, 'the From header as the carrier sent it');
  });

  await t.test('an empty user part in From, Asterisk hangs up first: its BYE reaches the caller', async (t) => {
    const messages = join(logDir, `caller-messages-${Date.now()}.log`);
    const { caller } = await call(t, Buffer.from('<sip:@127.0.0.2>'), 60, ['-trace_msg', '-message_file', messages]);
    const channel = await waitFor('the caller channel', async () => /PJSIP\/trunk110-[0-9a-f]+/.exec(await sandbox.cli('core show channels concise'))?.[0]);
    await sandbox.cli(`channel request hangup ${channel}`);
    t.equal(await caller.done, 0, 'the caller got the BYE (through the edge) and answered it');
    const bye = readFileSync(messages, 'latin1').split(/-{20,}/).find((m) => m.includes('message received') && /^BYE /m.test(m)) ?? '';
    t.match(bye, /^To: <sip:@127\.0\.0\.2>;tag=/m, 'addressed to the caller as it named itself: the edge put its From back');
  });

  await t.test('an empty user part in From, the caller gives up while it rings: CANCEL through the edge', async (t) => {
    t.equal((await post(service, '/seats/1001/not-ready')).status, 200, 'no call-taker free: the call waits, ringing');
    t.teardown(() => post(service, '/seats/1001/ready'));
    const since = Date.now();
    const caller = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', '<sip:@127.0.0.2>', '-d', '3000', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, to: edge.entrance, ip: '127.0.0.2', logDir });
    t.equal(await caller.done, 0, 'ringing (180), then CANCEL: 200 to the CANCEL, 487 to the INVITE');
    const incident = await incidentSince(service, since, 'the call abandoned', (i) => i.abandonedAt);
    t.equal(incident.callerNumber, 'anonymous', 'it had entered the service as an unknown caller');
    t.equal(incident.answeredAt, null);
  });

  await t.test('a malformed request gets an error response from the edge, not silence', async (t) => {
    const replies = await sendRaw(edge.entrance, (port) =>
      [`INVITE sip:110@${edge.entrance} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.2:${port};branch=z9hG4bK-malformed-${Date.now()}`, 'From: <sip:@127.0.0.2>;tag=m1', `To: <sip:110@${edge.entrance}>`, `Call-ID: malformed-${Date.now()}@127.0.0.2`, 'CSeq: abc INVITE', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\n'),
    );
    t.match(replies, [/^SIP\/2\.0 400 /], 'a 400 for a CSeq without a number');
  });
});
