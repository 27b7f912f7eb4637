// The demo, put together: phones for every seat, officer, unit duty line, supervisor and interpreter line, the
// 12345 agent, a simulated call-taker per seat, the officers' terminals and, if asked, the
// trickle of callers. stop() ends all of it: people first (seats logged out), then every SIPp.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDispatchData } from '../dispatch/data-files';
import { serviceUp, signIn, type Session } from './api';
import { CallTaker } from './call-taker';
import { Clock } from './clock';
import { OfficerTerminals } from './officer-terminal';
import type { DemoOptions } from './options';
import { makeVoices, startHotline, startPhone, type PhoneSpec } from './phones';
import { SippProcesses } from './sipp-processes';
import { Trickle } from './trickle';

export interface Demo {
  stop(): Promise<void>;
}

/** Demo users as scripts/run.sh adds them: password <name>-password. */
const signInDemo = (base: string, name: string) => signIn(base, name, `${name}-password`);

/** The duty lines and officers' phones on this Asterisk: `PJSIP/<id>` (a mobile number has no demo phone). */
const localPhone = (dial: string) => /^PJSIP\/(\d+)$/.exec(dial)?.[1];

/** The sandbox's interpreter lines (config/asterisk/pjsip.conf; the default interpreting.languages). */
const INTERPRETER_LINES = ['2501', '2502', '2503'];

/** `stopSignal` aborted (Ctrl-C) while starting: what was started is stopped, and this rejects. */
export async function startDemo(o: DemoOptions, root: string, log: (msg: string) => void, stopSignal: AbortSignal): Promise<Demo> {
  const clock = new Clock(o.pace);
  const procs = new SippProcesses(join(root, 'test/sipp'), log);
  const tasks: Promise<unknown>[] = [];
  const takers: CallTaker[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clock.halt();
      await Promise.all(takers.map((t) => t.leaveSeat()));
      await procs.stopAll();
      await Promise.allSettled(tasks);
    })());
  stopSignal.addEventListener('abort', () => void stop(), { once: true });

  try {
    const workDir = resolve(root, o.workDir);
    const logDir = join(workDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const voices = makeVoices(workDir);
    const { grid, roster } = loadDispatchData(resolve(root, o.gridDir));
    // Officers' phones and every duty line up the units' chains: escalation rings them too.
    const dutyLines = grid.cells.flatMap((c) => grid.unitChain(c.unit)).map((u) => u.dutyLine);
    const officerPhones = new Set([...roster.map((r) => r.phone), ...dutyLines].map(localPhone).filter((id): id is string => id !== undefined));
    const phones: PhoneSpec[] = [
      ...o.seats.map((id): PhoneSpec => ({ kind: 'seat', id, password: `seat-${id}-dev`, voice: 'seats' })),
      ...[...officerPhones].map((id): PhoneSpec => ({ kind: 'officer', id, password: `officer-${id}-dev`, voice: 'officers' })),
      ...o.supervisors.map((id): PhoneSpec => ({ kind: 'supervisor', id, password: `supervisor-${id}-dev`, voice: 'seats' })),
      // An interpreter asked for from the console (外语接警) finds a phone that answers.
      ...INTERPRETER_LINES.map((id): PhoneSpec => ({ kind: 'interpreter', id, password: `interpreter-${id}-dev`, voice: 'officers' })),
    ];

    log(`waiting for the service at ${o.serviceUrl}`);
    await serviceUp(o.serviceUrl, 120000, () => clock.stopped);
    for (const phone of phones) await startPhone(procs, phone, o.asterisk, voices, logDir);
    await startHotline(procs, o.trunk12345, voices, logDir);

    // Sign-ins one after another: the service checks passwords a few at a time (503 otherwise).
    const terminals = new Map<string, Session>();
    for (const officer of roster) {
      try {
        terminals.set(officer.id, await signInDemo(o.serviceUrl, `officer${officer.id}`));
      } catch (err) {
        log(`officer ${officer.id}: no terminal (${(err as Error).message})`);
      }
    }
    const officers = new OfficerTerminals(terminals, { grid, roster, clock, random: Math.random, log });
    tasks.push(...officers.patrol());
    const trickle = o.callsPerMinute > 0 ? new Trickle({ procs, grid, edge: o.edge, callerDir: voices.callers, logDir, callsPerMinute: o.callsPerMinute, pace: o.pace, clock, random: Math.random, log }) : undefined;
    for (const seat of o.seats) {
      const taker = new CallTaker(seat, await signInDemo(o.serviceUrl, `taker${seat}`), { clock, matterOf: (n) => trickle?.matterOf(n), terminals: officers, log });
      takers.push(taker);
    }
    await Promise.all(takers.map((t) => t.takeSeat()));
    tasks.push(...takers.map((t) => t.work()), officers.settled());
    if (trickle) tasks.push(trickle.run());
    log(`ready: ${o.seats.length} seats, ${phones.length - o.seats.length} officers', supervisors' and interpreters' phones, the 12345 agent; ${trickle ? `about ${o.callsPerMinute} calls a minute` : 'no calls (--calls-per-minute 0)'}`);
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
