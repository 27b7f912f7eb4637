// Foundation: a 110 call through a real Asterisk reaches the service, gets an incident number,
// and its caller ID is stored exactly as received, however odd it is.
import t from 'tap';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, workDir } from '../support/harness';

interface Incident {
  number: string;
  callerNumber: string;
  callerName: string;
  callerRaw: string;
  trunk: string;
  arrivedAt: number;
  endedAt: number | null;
  timeline: { kind: string; at: number }[];
}

t.test('110 calls become incidents', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'incident');
  const service = await startService(t, serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), logDir);
  await waitFor('service healthy', async () => (await service.get('/health')).status === 200, 30000);

  const callers = [
    { label: 'a plain mobile number', from: '"Zhang San" <sip:13800138000@127.0.0.2>', number: '13800138000', name: 'Zhang San' },
    { label: 'no caller number at all', from: '<sip:127.0.0.2>', number: '', name: '' },
    // Asterisk's caller ID fields keep 79 bytes; the From header (callerRaw) is stored whole.
    { label: 'a 200-digit number', from: `<sip:${'8'.repeat(200)}@127.0.0.2>`, number: '8'.repeat(79), name: '' },
    { label: 'a 200-character name', from: `"${'名'.repeat(200)}" <sip:12345678@127.0.0.2>`, number: '12345678', name: '名'.repeat(26) },
    // PJSIP hands the quoted display name over with its escapes (\") left in: stored so.
    { label: 'quotes, unicode and SQL', from: `"O\\"Brien'); DROP TABLE incidents;-- 张三 😀" <sip:110110@127.0.0.2>`, number: '110110', name: `O\\"Brien'); DROP TABLE incidents;-- 张三 😀` },
  ];

  for (const caller of callers) {
    await t.test(caller.label, async (t) => {
      const before = Date.now();
      const call = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', caller.from, '-d', '3000', '-m', '1', '-timeout', '30s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
      t.equal(await call.done, 0, 'the caller heard ringing (180), then gave up cleanly');
      const incident = await waitFor('the incident to end', async () => {
        const list = await service.get<{ items: { number: string; arrivedAt: number; endedAt: number | null }[] }>('/incidents?limit=1');
        const newest = list.body.items[0];
        if (!newest || newest.arrivedAt < before - 1000 || newest.endedAt === null) return undefined;
        return (await service.get<Incident>(`/incidents/${newest.number}`)).body;
      });
      t.match(incident.number, /^\d{8}-\d{6}$/);
      t.equal(incident.callerNumber, caller.number, 'caller number stored as received');
      t.equal(incident.callerName, caller.name, 'caller name stored as received');
      t.equal(incident.callerRaw.replace(/;tag=.*$/, ''), caller.from, 'the From header stored whole, exactly as sent');
      t.equal(incident.trunk, '110');
      t.ok(incident.arrivedAt >= before - 1000 && incident.arrivedAt <= Date.now(), 'arrival time in ms');
      const kinds = incident.timeline.map((e) => e.kind);
      t.ok(kinds.includes('entered_service'), 'timeline shows the call entering the service');
      t.equal(kinds[kinds.length - 1], 'ended', 'and its end');
    });
  }

  await t.test('the listing pages, newest first', async (t) => {
    const first = await service.get<{ items: { number: string }[]; next: string | null }>('/incidents?limit=2');
    t.equal(first.body.items.length, 2);
    t.ok(first.body.next);
    const second = await service.get<{ items: { number: string }[]; next: string | null }>(`/incidents?limit=2&before=${first.body.next}`);
    t.equal(second.body.items.length, 2);
    t.ok(first.body.items[1].number > second.body.items[0].number);
    t.equal((await service.get('/incidents?limit=0')).status, 400, 'a bad limit is a 400, not a crash');
  });
});
