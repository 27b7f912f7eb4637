// How a system queues when calls outnumber seats (the overload phase), from SIPp's own logs,
// computed the same way for cti110 and Queue(): answer order and seat time wasted while calls wait.
import { readSeatLog as readEvents } from '../../test/support/harness';

export interface QueueingFigures {
  /** Pairs (a, b) with a arriving before b and b answered before a (all bench calls: one priority class). */
  inversions: number;
  /** Calls answered before at least one call that arrived earlier. */
  overtaking: number;
  /** ∫ min(idle seats, waiting calls) dt, in seat-seconds: time the software left a seat idle while a call waited. */
  idleWhileWaitingS: number;
}

export function answerOrder(arrived: Map<string, number>, answered: Map<string, number>): { inversions: number; overtaking: number } {
  const calls = [...arrived].filter(([c]) => answered.has(c)).map(([c, t]) => ({ t, a: answered.get(c)! })).sort((x, y) => x.t - y.t);
  let inversions = 0;
  let overtaking = 0;
  for (let j = 0; j < calls.length; j++) {
    let overtook = false;
    for (let i = 0; i < j; i++) {
      if (calls[i].t < calls[j].t && calls[j].a < calls[i].a) {
        inversions++;
        overtook = true;
      }
    }
    if (overtook) overtaking++;
  }
  return { inversions, overtaking };
}

export interface SeatEvent {
  seat: string;
  /** invite: the seat is busy from here; free: it is idle again (the caller's BYE, or a CANCEL). */
  kind: 'invite' | 'free';
  t: number;
}

/**
 * A seat is idle from the phase's start (its first call's INVITE at Asterisk) or its previous call's
 * end to its next INVITE; a call waits from its INVITE at Asterisk to its seat's INVITE (or the phase
 * end, if it never got one). Sweeps both step functions over time.
 */
export function idleWhileWaiting(seats: string[], seatEvents: SeatEvent[], waits: { from: number; to: number }[], startAt: number, endAt: number): number {
  const steps: { t: number; idle: number; waiting: number }[] = [];
  for (const w of waits) steps.push({ t: w.from, idle: 0, waiting: 1 }, { t: Math.max(w.from, w.to), idle: 0, waiting: -1 });
  for (const seat of seats) {
    let idleSince: number | null = startAt;
    for (const e of seatEvents.filter((x) => x.seat === seat).sort((a, b) => a.t - b.t)) {
      if (e.kind === 'invite' && idleSince !== null) {
        steps.push({ t: idleSince, idle: 1, waiting: 0 }, { t: Math.max(idleSince, e.t), idle: -1, waiting: 0 });
        idleSince = null;
      } else if (e.kind === 'free' && idleSince === null) idleSince = e.t;
    }
    if (idleSince !== null && idleSince < endAt) steps.push({ t: idleSince, idle: 1, waiting: 0 }, { t: endAt, idle: -1, waiting: 0 });
  }
  steps.sort((a, b) => a.t - b.t);
  let idle = 0;
  let waiting = 0;
  let last = startAt;
  let sumMs = 0;
  for (const s of steps) {
    if (s.t > last) sumMs += Math.min(Math.max(idle, 0), Math.max(waiting, 0)) * (s.t - last);
    last = Math.max(last, s.t);
    idle += s.idle;
    waiting += s.waiting;
  }
  return Math.round(sumMs / 100) / 10;
}

/** The overload phase's figures from its caller log and the shared seat log (this phase's prefix). */
export function queueing(callerLog: string, seatLog: string, prefix: string, seats: string[], endAt: number): QueueingFigures {
  const arrived = new Map<string, number>();
  const answered = new Map<string, number>();
  for (const e of readEvents(callerLog)) {
    if (e.event === 'invite') arrived.set(e.caller, Number(e.t));
    else if (e.event === 'answered') answered.set(e.caller, Number(e.t));
  }
  const seatEvents: SeatEvent[] = [];
  const firstSeatInvite = new Map<string, number>();
  for (const e of readEvents(seatLog)) {
    if (!e.caller?.startsWith(prefix) || !e.t) continue;
    const t = Number(e.t);
    if (e.event === 'invite') {
      seatEvents.push({ seat: e.seat, kind: 'invite', t });
      if (!firstSeatInvite.has(e.caller)) firstSeatInvite.set(e.caller, t);
    } else if (e.event === 'bye' || e.event === 'cancelled') seatEvents.push({ seat: e.seat, kind: 'free', t });
  }
  const startAt = Math.min(...arrived.values());
  const waits = [...arrived].map(([c, t]) => ({ from: t, to: firstSeatInvite.get(c) ?? endAt }));
  return { ...answerOrder(arrived, answered), idleWhileWaitingS: idleWhileWaiting(seats, seatEvents, waits, startAt, endAt) };
}
