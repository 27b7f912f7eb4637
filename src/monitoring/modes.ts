// Pure rules of live monitoring and instant recall: which channel a supervisor's snoop listens
// on per mode, and which recorded segments (with what offset) replay the last N seconds.
import type { SnoopDirection } from '../asterisk/telephony';

export type MonitorMode = 'listen' | 'whisper' | 'barge';
export const MONITOR_MODES: readonly MonitorMode[] = ['listen', 'whisper', 'barge'];

/**
 * How a mode connects the supervisor. listen: a snoop on the caller's channel hears both ways
 * (in = the caller, out = everyone the caller hears) and whispers nothing, so nobody can hear
 * the supervisor. whisper: a snoop on the call-taker's channel hears both ways and whispers
 * into what the call-taker hears (out) only, never into the bridge, so the caller cannot hear
 * it. barge: no snoop; the supervisor's phone joins the call's bridge (and its recording).
 */
export type ModePlan = { kind: 'snoop'; on: 'caller' | 'taker'; spy: SnoopDirection; whisper: SnoopDirection } | { kind: 'bridge' };

export function planFor(mode: MonitorMode): ModePlan {
  switch (mode) {
    case 'listen':
      return { kind: 'snoop', on: 'caller', spy: 'both', whisper: 'none' };
    case 'whisper':
      return { kind: 'snoop', on: 'taker', spy: 'both', whisper: 'out' };
    case 'barge':
      return { kind: 'bridge' };
  }
}

export interface Segment {
  name: string;
  durationMs: number;
}

export interface RecallPlan {
  /** Stored recordings to play, oldest first. */
  names: string[];
  /** Skip this much of the first one. */
  offsetMs: number;
  /** How much will be heard: less than asked when the call is younger than that. */
  coveredMs: number;
}

/** The last `wantMs` of finished segments (oldest first): from the newest backwards until enough. */
export function recallPlan(segments: Segment[], wantMs: number): RecallPlan {
  const chosen: Segment[] = [];
  let total = 0;
  for (let i = segments.length - 1; i >= 0 && total < wantMs; i--) {
    if (segments[i].durationMs <= 0) continue;
    chosen.unshift(segments[i]);
    total += segments[i].durationMs;
  }
  const offsetMs = Math.max(0, total - wantMs);
  return { names: chosen.map((s) => s.name), offsetMs, coveredMs: total - offsetMs };
}

/**
 * The last `wantMs` of a file still being written, `elapsedMs` long by now: played from that far
 * before its end. A call just answered plays what there is (a recall asked a second into a call,
 * e.g. on a nailed seat, is no error; seen in the nailed-seat e2e test).
 */
export function growingFilePlan(name: string, elapsedMs: number, wantMs: number): RecallPlan {
  if (elapsedMs <= 0) return { names: [], offsetMs: 0, coveredMs: 0 };
  return { names: [name], offsetMs: Math.max(0, elapsedMs - wantMs), coveredMs: Math.min(elapsedMs, wantMs) };
}
