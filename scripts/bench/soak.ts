// --soak MINUTES (issue #15 item 8; not in the test suite): a centre's load for a long time on
// cti110, sampled every minute: the service's memory and file descriptors, Asterisk's channels and
// bridges, the store's size per call must stay flat; no caller lost. A share of callers abandon
// (sipp/abandon.xml); now and then a call in progress gets an officer conference (the unit duty
// line 2901 answers) and another a 12345 hand-over (a SIPp on the 12345 trunk answers).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { post, registered, seatPhone, sipp, sleep, waitFor, type IncidentView, type Service } from '../../test/support/harness';
import { answeredCallers, outcome } from './measure';
import { loginRing, type Ctx } from './phases';
import { SOAK } from './plan';
import { startSipp } from './procs';
import { checkRecordings } from './recordings';
import { machineInfo } from './machine';
import { firstVsLast, soakLines, soakMarkdown, takeSample, type SoakResult, type SoakSample } from './soak-sample';

const MAIN_PREFIX = '13990';
const ABANDON_PREFIX = '13890'; // 138: seat.xml rings these longer than they wait

/** caller.xml with a varied hold (SIPp draws each call's pause from the range). */
function variedCaller(dir: string): string {
  const xml = readFileSync(join(__dirname, '../../../scripts/bench/sipp/caller.xml'), 'utf8');
  const varied = xml.replace('<label id="hold"/>\n  <pause/>', `<label id="hold"/>\n  <pause distribution="uniform" min="${SOAK.holdMinMs}" max="${SOAK.holdMaxMs}"/>`);
  if (varied === xml) throw new Error('caller.xml: hold pause not found');
  const file = join(dir, 'caller-soak.xml');
  writeFileSync(file, varied);
  return file;
}

const invites = (log: string) => {
  try {
    return readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('event=invite')).length;
  } catch {
    return 0;
  }
};

/** A call answered in the last few seconds (most of its hold still ahead), not `taken`. */
async function callInProgress(service: Service, taken: Set<string>): Promise<IncidentView | undefined> {
  const items = (await service.get<{ items: IncidentView[] }>('/incidents?limit=200')).body.items;
  return items.find((i) => i.callerNumber.startsWith(MAIN_PREFIX) && i.answeredAt !== null && i.endedAt === null && Date.now() - i.answeredAt < 4000 && !taken.has(i.number));
}

async function reached(service: Service, number: string, kind: string): Promise<boolean> {
  const has = async () => (await service.get<IncidentView>(`/incidents/${number}`)).body.timeline.some((e) => e.kind === kind);
  return waitFor(kind, has, 20000).then(() => true, () => false);
}

/** One officer conference (no officer has a position: the pole's unit duty line is rung). */
async function conference(service: Service, taken: Set<string>): Promise<string> {
  const inc = await callInProgress(service, taken);
  if (!inc) return 'no call in progress';
  taken.add(inc.number);
  const r = await post(service, `/incidents/${inc.number}/dispatch`, { pole: 'BJ-DC-0001' });
  if (r.status !== 202) return `dispatch ${r.status}`;
  return (await reached(service, inc.number, 'officer_joined')) ? 'joined' : 'not joined in 20 s';
}

/** One 12345 hand-over: classify as a 12345 matter, transfer, the call-taker leaves. */
async function handover(service: Service, taken: Set<string>): Promise<string> {
  const inc = await callInProgress(service, taken);
  if (!inc) return 'no call in progress';
  taken.add(inc.number);
  const c = await post(service, `/incidents/${inc.number}/classify`, { police: false, category: 'car_moving', summary: 'bench soak' });
  if (c.status !== 200) return `classify ${c.status}`;
  const r = await post(service, `/incidents/${inc.number}/transfer`);
  if (r.status !== 202) return `transfer ${r.status}`;
  if (!(await reached(service, inc.number, 'transfer_answered'))) return '12345 did not answer in 20 s';
  const left = await post(service, `/incidents/${inc.number}/taker/leave`);
  return left.status === 204 ? 'handed over' : `taker leave ${left.status}`;
}

export async function soak(ctx: Ctx, minutes: number, out: string): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const { sandbox, service, dir } = ctx;
  const durationS = minutes * 60;
  const extras = Math.max(1, Math.floor((durationS * 1000) / SOAK.extrasEveryMs));
  await loginRing(ctx, ctx.seats.ring.slice(0, SOAK.seats));
  const stayS = durationS + SOAK.holdMaxMs / 1000 + 120;
  await seatPhone(ctx.cleanup, sandbox, '2901', { logDir: dir, stayS, answerMs: 200, password: 'officer-2901-dev' });
  await registered(sandbox, '2901');
  await sipp(ctx.cleanup, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-m', String(extras), '-l', String(extras), '-timeout', `${stayS}s`, '-trace_logs', '-log_file', join(dir, 'trunk12345.log')], { sandbox, ip: '127.0.0.3', port: sandbox.trunk12345Port, logDir: dir });

  const mainRate = SOAK.rate * (1 - SOAK.abandonShare);
  const abandonRate = SOAK.rate * SOAK.abandonShare;
  const count = (rate: number) => Math.max(1, Math.round(rate * durationS));
  const timeout = `${Math.ceil(durationS + SOAK.holdMaxMs / 1000 + 120)}s`;
  const target = `127.0.0.1:${sandbox.sipPort}`;
  ctx.log(`soak: ${minutes} min, ${SOAK.rate} calls/s (${SOAK.abandonShare * 100} % abandoning) into ${SOAK.seats} seats, held ${SOAK.holdMinMs / 1000}-${SOAK.holdMaxMs / 1000} s`);
  const t0 = Date.now();
  const main = await startSipp(ctx.cleanup, dir, 'soak-callers', target, variedCaller(dir), ['-s', '110', '-key', 'prefix', MAIN_PREFIX, '-r', mainRate.toFixed(3), '-rp', '1000', '-m', String(count(mainRate)), '-l', String(count(mainRate)), '-timeout', timeout, '-timeout_error'], '127.0.0.2');
  const abandon = await startSipp(ctx.cleanup, dir, 'soak-abandon', target, 'abandon.xml', ['-s', '110', '-key', 'prefix', ABANDON_PREFIX, '-r', abandonRate.toFixed(3), '-rp', '1000', '-m', String(count(abandonRate)), '-l', String(count(abandonRate)), '-timeout', timeout, '-timeout_error'], '127.0.0.2');

  const samples: SoakSample[] = [];
  const taken = new Set<string>();
  const extrasDone: Promise<void>[] = [];
  const conferences: string[] = [];
  const handovers: string[] = [];
  const dbPath = join(dir, 'cti110.sqlite');
  let running = true;
  const both = Promise.all([main.done, abandon.done]).finally(() => (running = false));
  let nextSample = t0 + SOAK.sampleEveryMs;
  let nextExtra = t0 + Math.min(SOAK.extrasEveryMs, 30000);
  while (running) {
    await Promise.race([both, sleep(1000)]);
    const now = Date.now();
    if (now >= nextExtra && now - t0 < durationS * 1000) {
      nextExtra += SOAK.extrasEveryMs;
      extrasDone.push(conference(service, taken).then((o) => void conferences.push(o), (e: Error) => void conferences.push(`error: ${e.message}`)));
      extrasDone.push(handover(service, taken).then((o) => void handovers.push(o), (e: Error) => void handovers.push(`error: ${e.message}`)));
    }
    if (now >= nextSample && running) {
      nextSample += SOAK.sampleEveryMs;
      const s = await takeSample(ctx, t0, invites(main.logFile) + invites(abandon.logFile), dbPath);
      samples.push(s);
      ctx.log(`soak ${s.min} min: ${s.callsPlaced} calls, RSS ${s.rssMb} MB, heap ${s.heapUsedMb} MB, ${s.openFds} fds, ${s.channels} channels, ${s.bridges} bridges, ${s.storeBytesPerCall} store bytes/call`);
    }
  }
  await Promise.all(extrasDone);
  const o = outcome(main.logFile, ctx.seatUas.logFile, MAIN_PREFIX);
  const abandonLog = readFileSync(abandon.logFile, 'utf8').split('\n');
  const abandonPlaced = abandonLog.filter((l) => l.startsWith('event=invite')).length;
  const clean = abandonLog.filter((l) => l.startsWith('event=abandoned')).length;
  const recordings = await checkRecordings({ service, fromMs: t0 - 5000 }, answeredCallers(main.logFile));
  const result: SoakResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    minutes,
    load: `${SOAK.rate} calls/s into ${SOAK.seats} ready seats, held ${SOAK.holdMinMs / 1000}-${SOAK.holdMaxMs / 1000} s (uniform), ${SOAK.abandonShare * 100} % of callers hang up 1 s after their INVITE; an officer conference and a 12345 hand-over every ${SOAK.extrasEveryMs / 1000} s`,
    machine,
    placed: o.placed,
    answered: o.answered,
    // Calls SIPp never placed (it stopped early) are lost too: nobody saw them through.
    lost: o.lost + (count(mainRate) - o.placed),
    abandoned: { placed: abandonPlaced, clean, lost: count(abandonRate) - clean },
    unrecorded: recordings.missing,
    answerMs: { ...o.answerMs },
    conferences: { tried: conferences.length, joined: conferences.filter((c) => c === 'joined').length, outcomes: conferences },
    handovers: { tried: handovers.length, handedOver: handovers.filter((c) => c === 'handed over').length, outcomes: handovers },
    samples,
    flat: firstVsLast(samples, minutes),
  };
  writeFileSync(join(out, 'soak.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'soak.md'), soakMarkdown(result));
  for (const line of soakLines(result)) ctx.log(line);
  ctx.log(`soak report: ${join(out, 'soak.md')}`);
  return result.lost === 0 && result.abandoned.lost === 0 && result.unrecorded === 0;
}
