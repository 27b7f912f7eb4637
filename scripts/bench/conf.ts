// The benchmark's own Asterisk additions (AST_EXTRA_CONF_DIR: appended to the project's files for
// the bench instance only, so the demo config keeps its meaning) and the service's config.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where bench callers for the native baseline come from (the 110 trunk is 127.0.0.2). */
export const BASELINE_ADDR = '127.0.0.4';

/** The baseline's MixMonitor files, inside the sandbox instance folder (bench-record below). */
export const BASELINE_REC_DIR = 'spool/bench';

export interface BenchSeats {
  /** Ringing seats; the first 100 take the latency and burst phases, all the capacity ramp. */
  ring: string[];
  /** cti110 nailed seats (*15) and, for the baseline, AgentLogin() agents (*19). */
  nailed: string[];
  agents: string[];
}

/** Bench seat ids start at 5001: 1001-1005, 2001-2910 and 3001-3002 are the project's own phones. */
export function benchSeats(ringCount: number, permanentCount: number): BenchSeats {
  const ids = (from: number, n: number) => Array.from({ length: n }, (_, k) => String(from + k));
  return { ring: ids(5001, ringCount), nailed: ids(5501, permanentCount), agents: ids(5601, permanentCount) };
}

export const seatPassword = (id: string) => `bench-${id}`;

/**
 * Seats have a static contact at the one SIPp that answers for all of them (no REGISTER, no
 * qualify: 200 SIPp registrations would cost more CPU than the thing measured).
 */
function pjsip(seats: BenchSeats, seatUas: string): string {
  const all = [...seats.ring, ...seats.nailed, ...seats.agents];
  const stanza = (id: string) => `[${id}](bench-seat)\nauth = ${id}\naors = ${id}\n[${id}](phone-auth)\nusername = ${id}\npassword = ${seatPassword(id)}\n[${id}](bench-seat-aor)\ncontact = sip:${id}@${seatUas}\n`;
  return `; Benchmark only (scripts/bench): ${all.length} seats and a trunk for the native baseline.
[bench-seat](!,phone-endpoint)
context = bench-seats
; The seat's INVITE carries the caller's number in From even when its presentation is not
; "allowed" (the bench matches each seat INVITE to its caller by that number).
trust_id_outbound = yes

[bench-seat-aor](!)
type = aor
max_contacts = 1
qualify_frequency = 0

[benchbase](endpoint-common)
context = bench-baseline
trust_id_inbound = yes

[benchbase]
type = identify
endpoint = benchbase
match = ${BASELINE_ADDR}

${all.map(stanza).join('\n')}`;
}

function extensions(): string {
  return `; Benchmark only. The baseline: what Asterisk alone does for the same call, recorded the
; same way as the project's fallback (MixMonitor of the whole call), then Queue().
[bench-baseline]
exten => ring,1,Gosub(bench-record,s,1)
 same => n,Queue(bench-ring,r)
 same => n,Hangup()
exten => wide,1,Gosub(bench-record,s,1)
 same => n,Queue(bench-wide,r)
 same => n,Hangup()
exten => overload,1,Gosub(bench-record,s,1)
 same => n,Queue(bench-overload,r)
 same => n,Hangup()
exten => agents,1,Gosub(bench-record,s,1)
 same => n,Queue(bench-agents,r)
 same => n,Hangup()

; Outside astspooldir/recording: the service's minute sweep lists that folder over ARI. The
; caller's number is in the name: the bench counts answered calls without a file (BASELINE_REC_DIR).
[bench-record]
exten => s,1,MixMonitor(\${CTI110_RECORDINGS}/../bench/base_\${FILTER(0-9,\${CALLERID(num)})}_\${EPOCH}_\${REPLACE(UNIQUEID,.,-)}.wav)
 same => n,Return()

; Asterisk 12+ agents: the queue rings Local/<agent>@bench-agents, which connects the caller to
; the logged-in agent's open channel (state followed through Agent:<agent>).
[bench-agents]
exten => _X.,1,AgentRequest(\${EXTEN})
 same => n,Hangup()

; Bench seats: the project's feature codes, plus *19 = AgentLogin() for the baseline's agents.
[bench-seats]
exten => *19,1,AgentLogin(\${CHANNEL(endpoint)},s)
 same => n,Hangup()
include => seats
`;
}

/** Same settings as the project's fallback110 queue: only the members differ. */
function queue(name: string, members: string[]): string {
  return `[${name}]
strategy = leastrecent
autofill = yes
ringinuse = no
timeout = 15
retry = 1
joinempty = yes
leavewhenempty = no
wrapuptime = 0
announce-frequency = 0
announce-position = no
periodic-announce-frequency = 0
reportholdtime = no
maxlen = 0
${members.map((m) => `member => ${m}`).join('\n')}
`;
}

function agents(ids: string[]): string {
  // ackcall=no: the agent is connected with a beep, no key to press (like a nailed seat).
  return `[general]\n\n[bench-agent](!)\nackcall = no\nautologoff = 0\nwrapuptime = 0\ncustom_beep = beep\n\n${ids.map((id) => `[${id}](bench-agent)\nfullname = Bench agent ${id}\n`).join('\n')}`;
}

/** overloadSeats: the first ringing seats, the only members of the overload phase's queue. */
export function writeAsteriskExtras(dir: string, seats: BenchSeats, seatUas: string, overloadSeats: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pjsip.conf'), pjsip(seats, seatUas));
  writeFileSync(join(dir, 'extensions.conf'), extensions());
  writeFileSync(
    join(dir, 'queues.conf'),
    `; Benchmark only: the baseline queues.\n${queue('bench-ring', seats.ring.slice(0, 100).map((s) => `PJSIP/${s}`))}\n${queue('bench-wide', seats.ring.map((s) => `PJSIP/${s}`))}\n${queue('bench-overload', seats.ring.slice(0, overloadSeats).map((s) => `PJSIP/${s}`))}\n${queue('bench-agents', seats.agents.map((s) => `Local/${s}@bench-agents,0,Agent ${s},Agent:${s}`))}`,
  );
  writeFileSync(join(dir, 'agents.conf'), agents(seats.agents));
}

/** The service's config file for the bench: every bench seat auto-answers; nailed ones are nailed. */
export function serviceConfig(seats: BenchSeats, workDir: string): Record<string, unknown> {
  return {
    seats: [
      ...seats.ring.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true })),
      ...seats.nailed.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true, delivery: 'nailed' })),
    ],
    queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
    recording: { storageDir: join(workDir, 'recordings') },
    // info, as in production: debug logging would make the service look slower than it is.
    log: { level: 'info' },
  };
}
