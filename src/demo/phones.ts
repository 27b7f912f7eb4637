// The simulated phones: a softphone per call-taker seat, officer and unit duty line, the
// supervisors' phones (monitoring rings them), and the 12345 hotline's agent on the 12345
// trunk. They are the test's SIPp scenarios (test/sipp): they register, answer every call
// after a short ring and speak a tone each, so that recordings show who talked. No -trace_err:
// SIPp writes every qualify OPTIONS and every held second there, which grows without end in a
// demo left running; each phone's calls are in its -log_file instead.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SippProcesses, SippRun } from './sipp-processes';

/** Each party speaks its own tone (A-law, 8 kHz, looped by SIPp); 440/1000 Hz as in the tests. */
const TONES = { callers: { file: 'caller-audio.wav', hz: 440 }, seats: { file: 'seat-audio.wav', hz: 1000 }, officers: { file: 'seat-audio.wav', hz: 1800 }, hotline: { file: 'caller-audio.wav', hz: 1400 } } as const;
export type Voice = keyof typeof TONES;

/** Folders holding each party's audio under the work dir; made once at start. */
export function makeVoices(workDir: string): Record<Voice, string> {
  const dirs = {} as Record<Voice, string>;
  for (const [voice, tone] of Object.entries(TONES) as [Voice, (typeof TONES)[Voice]][]) {
    const dir = join(workDir, voice);
    mkdirSync(dir, { recursive: true });
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', join(dir, tone.file), 'synth', '3', 'sine', String(tone.hz), 'vol', '0.5']);
    dirs[voice] = dir;
  }
  return dirs;
}

export interface PhoneSpec {
  kind: 'seat' | 'officer' | 'supervisor' | 'interpreter';
  id: string;
  password: string;
  voice: Voice;
}

// A week: phones stay registered (re-REGISTER every 120 s) until the demo stops them.
const STAY_S = 7 * 24 * 3600;

/** A phone that registers at `asterisk` and answers every call 0.3-1.2 s after it rings. */
export function startPhone(procs: SippProcesses, phone: PhoneSpec, asterisk: string, voices: Record<Voice, string>, logDir: string): Promise<SippRun> {
  return procs.start({
    name: `${phone.kind} ${phone.id}`,
    scenario: 'seat-multi.xml',
    to: asterisk,
    ip: '127.0.0.1',
    cwd: voices[phone.voice],
    args: ['-oocsf', join(procs.scenarioDir, 'seat-multi-answer.xml'), '-aa', '-s', phone.id, '-au', phone.id, '-ap', phone.password, '-set', 'stay_s', String(STAY_S), '-set', 'answer_min_ms', '300', '-set', 'answer_max_ms', '1200', '-trace_logs', '-log_file', join(logDir, `${phone.kind}-${phone.id}.log`), '-m', '1', '-l', '1'],
  });
}

/** The 12345 hotline's agent: answers every hand-over on the 12345 trunk and talks until the caller leaves. */
export function startHotline(procs: SippProcesses, trunk12345: string, voices: Record<Voice, string>, logDir: string): Promise<SippRun> {
  const [ip, port] = trunk12345.split(':') as [string, string];
  return procs.start({
    name: '12345 agent',
    scenario: 'trunk-callee.xml',
    ip,
    port: Number(port),
    cwd: voices.hotline,
    // No -m: a UAS scenario then takes any number of calls, one instance each.
    args: ['-set', 'answer_ms', '800', '-trace_logs', '-log_file', join(logDir, 'hotline-12345.log')],
  });
}
