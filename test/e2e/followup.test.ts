// Follow-up (回访) through the real Asterisk: closed incidents are followed up over the 110
// trunk (a SIPp callee plays the caller), the caller keys scores 1-5 as RFC 4733 events, the
// scores land in the store, on the timeline and in GET /stats/follow-up; a caller who does not
// answer is rung again; an unsatisfied one (a score of 2 or less) is pushed to the unit's system
// (a test HTTP receiver) through the outbox, and the unit's answer lands on the timeline.
import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post, type IncidentView, type Service } from '../support/harness';
import { dtmfPcap } from '../support/dtmf-pcap';
import type { FollowUpStats } from '../../src/followup/stats';

interface FollowUp {
  id: number;
  state: string;
  attempts: number;
  unitId: string | null;
  speed: number | null;
  attitude: number | null;
  efficiency: number | null;
  verification: string | null;
}

const put = async (service: Service, path: string, body: unknown) => (await fetch(service.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

/** The unit's system: records every push it is sent. */
async function unitReceiver(t: Test): Promise<{ url: string; received: { key: string; body: Record<string, unknown> }[] }> {
  const received: { key: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ key: String(req.headers['idempotency-key'] ?? ''), body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/followups`, received };
}

t.test('follow-up call-back', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'followup');
  const unit = await unitReceiver(t);
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 5000, officersToTry: 1, trunk: 'trunk110', unitWebhooks: { PS1: unit.url } },
    // Seconds instead of half hours; no quiet hours, so that the test runs at any time of day.
    followUp: { delayMs: 1000, quietHours: { from: '00:00', to: '00:00' }, sharePct: 0, ringMs: 4000, retries: 2, retryGapMs: 6000, keyTimeoutMs: 6000, pollMs: 500 },
  });
  await seatPhone(t, sandbox, '1001', { logDir, stayS: 240, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  t.equal((await post(service, '/seats/1001/login')).status, 200);

  const incident = async (caller: string): Promise<IncidentView> => waitFor(`incident of ${caller}`, async () => (await incidentsOf(service, caller))[0]);
  const timeline = async (caller: string) => (await incident(caller)).timeline;
  /** A caller's 110 call answered by the seat; classified a robbery (major: always followed up). */
  const reported = async (caller: string, holdS: number) => {
    const call = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', caller, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await waitFor('answered', async () => ((await incident(caller)).answeredAt ? incident(caller) : undefined));
    t.equal((await post(service, `/incidents/${inc.number}/classify`, { police: true, category: 'robbery', summary: 'bag snatched' })).status, 200);
    return { inc, call };
  };
  /** The caller, rung back over the trunk: keys `keys` after answering (its own folder: its pcap). */
  const callee = async (name: string, keys: string, args: string[] = []) => {
    const dir = join(logDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'followup-keys.pcap'), dtmfPcap(keys));
    return sipp(t, 'followup-callee.xml', ['-set', 'answer_ms', '300', '-set', 'keys_after_ms', '2500', ...args, '-trace_logs', '-log_file', join(dir, 'callee.log'), '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', port: sandbox.trunk110Port, logDir: dir });
  };
  const followUpOf = async (caller: string): Promise<FollowUp> => {
    const step = (await timeline(caller)).find((e) => e.kind === 'followup_scheduled');
    if (!step) throw new Error('no follow-up scheduled');
    return (await service.get<FollowUp>(`/follow-ups/${step.detail.id as number}`)).body;
  };
  const finished = (caller: string, state: string) => waitFor(`follow-up of ${caller} ${state}`, async () => ((await followUpOf(caller)).state === state ? followUpOf(caller) : undefined), 90000, 500);

  await t.test('answered: the caller keys 5, 4, 5; stored, on the timeline, recorded', async (t) => {
    const { inc, call } = await reported('13900000001', 2);
    t.equal(await call.done, 0);
    const rung = await callee('answered', '545');
    t.equal((await post(service, `/incidents/${inc.number}/close`)).status, 200);
    const f = await finished('13900000001', 'answered');
    t.match(f, { attempts: 1, speed: 5, attitude: 4, efficiency: 5 }, 'the three scores as keyed');
    t.equal(await rung.done, 0, 'the caller was rung, answered, keyed and was hung up on after the thanks');
    const steps = await waitFor('the follow-up recording stored', async () => {
      const tl = await timeline('13900000001');
      const from = tl.findIndex((e) => e.kind === 'followup_calling');
      return tl.slice(from).some((e) => e.kind === 'recorded') ? tl : undefined;
    }, 30000);
    const kinds = steps.map((e) => e.kind).filter((k) => k.startsWith('followup_'));
    t.same(kinds, ['followup_scheduled', 'followup_calling', 'followup_answered'], 'scheduled, calling, answered on the timeline');
    t.match(steps.find((e) => e.kind === 'followup_answered')!.detail, { speed: 5, attitude: 4, efficiency: 5 });
  });

  await t.test('not answered: rung again after the gap, and answered then', async (t) => {
    const { inc, call } = await reported('13900000002', 2);
    t.equal(await call.done, 0);
    // First attempt: the phone rings past followUp.ringMs (4 s) and the service gives up (CANCEL).
    const ringing = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '60000', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', port: sandbox.trunk110Port, logDir });
    t.equal((await post(service, `/incidents/${inc.number}/close`)).status, 200);
    t.equal(await ringing.done, 0, 'rung, not answered, cancelled');
    const rung = await callee('retried', '333');
    const f = await finished('13900000002', 'answered');
    t.match(f, { attempts: 2, speed: 3, attitude: 3, efficiency: 3 }, 'answered on the second attempt');
    t.equal(await rung.done, 0);
    const kinds = (await timeline('13900000002')).map((e) => e.kind).filter((k) => k.startsWith('followup_'));
    t.same(kinds, ['followup_scheduled', 'followup_calling', 'followup_retry', 'followup_calling', 'followup_answered']);
    t.match((await timeline('13900000002')).find((e) => e.kind === 'followup_retry')!.detail, { attempt: 1, why: 'no_answer' });
  });

  await t.test('unsatisfied: a 1 is pushed to the unit that handled it, and its answer recorded', async (t) => {
    const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 60, answerMs: 200, password: 'officer-2001-dev' });
    await registered(sandbox, '2001');
    t.equal(await put(service, '/officers/2001/position', { lon: 116.3855, lat: 39.905 }), 200);
    const { inc, call } = await reported('13900000003', 10);
    t.equal((await post(service, `/incidents/${inc.number}/dispatch`, { pole: 'BJ-DC-0001' })).status, 202);
    await waitFor('officer joined', async () => (await timeline('13900000003')).some((e) => e.kind === 'officer_joined'));
    t.equal(await call.done, 0);
    await officer.kill();
    const rung = await callee('unsatisfied', '512');
    t.equal((await post(service, `/incidents/${inc.number}/close`)).status, 200);
    const f = await finished('13900000003', 'answered');
    t.match(f, { unitId: 'PS1', speed: 5, attitude: 1, efficiency: 2 });
    t.equal(await rung.done, 0);
    const push = await waitFor('the unit got the follow-up', () => unit.received.find((r) => r.body.kind === 'follow-up-verification'), 30000);
    t.match(push, { key: `followup-${f.id}`, body: { followUp: f.id, incident: inc.number, unit: 'PS1', scores: { speed: 5, attitude: 1, efficiency: 2 } } });
    t.equal((await post(service, `/follow-ups/${f.id}/verification`, {})).status, 400, 'no answer in the body: 400');
    t.equal((await post(service, `/follow-ups/${f.id}/verification`, { answer: 'x', extra: 1 })).status, 400, 'an unknown field: 400');
    t.equal((await post(service, '/follow-ups/999999/verification', { answer: 'x' })).status, 404);
    const answered = await post<FollowUp>(service, `/follow-ups/${f.id}/verification`, { answer: '已回访报警人：出警民警态度问题属实，已批评教育' });
    t.equal(answered.status, 200);
    t.equal(answered.body.verification, '已回访报警人：出警民警态度问题属实，已批评教育');
    t.equal((await post(service, `/follow-ups/${f.id}/verification`, { answer: 'again' })).status, 409, 'answered once');
    const steps = (await timeline('13900000003')).filter((e) => e.kind.startsWith('followup_'));
    t.same(steps.map((e) => e.kind), ['followup_scheduled', 'followup_calling', 'followup_answered', 'followup_unsatisfied', 'followup_verified']);
    t.match(steps.at(-1)!.detail, { unit: 'PS1', answer: '已回访报警人：出警民警态度问题属实，已批评教育' });
    // Each result is in the audit chain too (audit/timeline-audit.ts), in the incident's signed export.
    const audited = await waitFor('the follow-up in the audit chain', async () => {
      const actions = (await service.get<{ record: { audit: { action: string }[] } }>(`/incidents/${inc.number}/export`)).body.record.audit.map((e) => e.action);
      return ['call.followup_answered', 'call.followup_unsatisfied', 'call.followup_verified'].every((a) => actions.includes(a)) ? actions : undefined;
    }, 20000);
    t.ok(audited, 'answered, unsatisfied and verified are audit entries of the incident');
  });

  await t.test('GET /stats/follow-up: per seat, unit and day; bad periods refused', async (t) => {
    const stats = (await service.get<FollowUpStats>('/stats/follow-up')).body;
    t.match(stats.total, { asked: 3, answered: 3, notReached: 0, unsatisfied: 1, meanSpeed: 4.33 });
    t.match(stats.bySeat, [{ key: '1001', asked: 3, answered: 3 }]);
    t.match(stats.byUnit, [{ key: '-', asked: 2 }, { key: 'PS1', asked: 1, unsatisfied: 1 }]);
    t.equal(stats.byDay.length, 1);
    for (const q of ['from=abc', 'to=-5', 'from=2000&to=1000', 'day=today']) {
      const r = await service.get<{ error: string; message: string }>(`/stats/follow-up?${q}`);
      t.equal(r.status, 400, `${q}: 400 (${r.body.message})`);
    }
  });
});
