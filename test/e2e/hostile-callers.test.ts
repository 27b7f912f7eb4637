// Callers the network sends oddly still reach a call-taker, and the incident keeps what was sent:
// a From header that is not UTF-8 was stored as '' (ARI's JSON could not carry it). An INVITE
// with an empty user part in From is still dropped by Asterisk with no response and no incident
// (see the todo below).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, sipp, waitFor, workDir, seatPhone, registered, post, type Service } from '../support/harness';

interface Incident {
  number: string;
  callerNumber: string;
  callerName: string;
  callerRaw: string;
  arrivedAt: number;
  answeredAt: number | null;
  seatId: string | null;
  timeline: { kind: string }[];
}

/** The newest incident that arrived after `since`, once a call-taker answered it. */
const answeredSince = (service: Service, since: number) =>
  waitFor(
    'the call answered by a call-taker',
    async () => {
      const newest = (await service.get<{ items: Incident[] }>('/incidents?limit=1')).body.items[0];
      if (!newest || newest.arrivedAt < since - 1000 || !newest.answeredAt) return undefined;
      return (await service.get<Incident>(`/incidents/${newest.number}`)).body;
    },
    30000,
  );

t.test('hostile callers: answered, and stored as sent', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'hostile');
  const service = await startConfiguredService(t, sandbox, logDir, { seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }] });
  await seatPhone(t, sandbox, '1001', { logDir, stayS: 100, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  t.equal((await post(service, '/seats/1001/login')).status, 200);

  /** One call from the 110 trunk with this From header (bytes, without the tag). */
  const call = async (t: Test, from: Buffer) => {
    const file = join(logDir, `from-${Date.now()}.csv`);
    writeFileSync(file, Buffer.concat([Buffer.from('SEQUENTIAL\n'), from, Buffer.from(';\n')]));
    const since = Date.now();
    const caller = await sipp(t, 'caller-from.xml', ['-s', '110', '-inf', file, '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const incident = await answeredSince(service, since);
    t.equal(await caller.done, 0, 'the caller was answered, talked and hung up');
    t.equal(incident.seatId, '1001', 'by the call-taker at 1001');
    return incident;
  };

  await t.test('a From header that is not UTF-8: its bytes kept, escaped', async (t) => {
    const from = Buffer.concat([Buffer.from('"'), Buffer.from([0xff, 0xfe]), Buffer.from('Zhang" <sip:13800000011@127.0.0.2>')]);
    const incident = await call(t, from);
    t.equal(incident.callerRaw.replace(/;tag=.*$/, ''), '"\\xFF\\xFEZhang" <sip:13800000011@127.0.0.2>', 'the From header, whole, with \\xHH for bytes that are not UTF-8');
    t.equal(incident.callerNumber, '13800000011');
  });

  // Not fixable in our config: pjproject's parser rejects `sip:@host` in sip_transport.c ("PJSIP
  // syntax error exception when parsing 'From' header") and drops the packet before res_pjsip looks
  // for an endpoint, so no identify, anonymous endpoint or dialplan ever sees it. Kept as a todo:
  // it passes once Asterisk (or an edge in front of it) accepts such an INVITE.
  await t.test('an empty user part in From: answered as an unknown caller', { todo: 'dropped by pjproject before any endpoint or dialplan (config/asterisk/pjsip.conf)' }, async (t) => {
    const incident = await call(t, Buffer.from('<sip:@127.0.0.2>'));
    t.equal(incident.callerNumber, '', 'no caller number: an unknown caller');
    t.match(incident.callerRaw, /^<sip:@127\.0\.0\.2>/, 'the From header as sent');
  });
});
