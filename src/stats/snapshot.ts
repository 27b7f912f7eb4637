// What the queue looks like right now, as the queue hands it to the stats area, and the live
// figures derived from it. Pure, no I/O.

/** Same states as the queue's seat state machine; kept here so stats does not reach into queue/. */
export type SeatState = 'logged_out' | 'ready' | 'ringing' | 'on_call' | 'wrap_up' | 'not_ready';
export const SEAT_STATES: readonly SeatState[] = ['logged_out', 'ready', 'ringing', 'on_call', 'wrap_up', 'not_ready'];

export interface QueueSnapshot {
  waiting: { incident: string | null; arrivedAt: number; priority: number }[];
  seats: { id: string; state: SeatState; reason: string | null; delivery: 'ring' | 'nailed' }[];
}

export interface LiveFigures {
  at: number;
  waiting: number;
  /** The oldest waiting call's wait so far; 0 when nobody waits. */
  longestWaitMs: number;
  /** Every state present, 0 included, so a dashboard never has to guess a missing key. */
  seats: Record<SeatState, number>;
}

export function liveFigures(snapshot: QueueSnapshot, at: number): LiveFigures {
  const seats = Object.fromEntries(SEAT_STATES.map((s) => [s, 0])) as Record<SeatState, number>;
  for (const seat of snapshot.seats) seats[seat.state] += 1;
  let oldest = at;
  for (const call of snapshot.waiting) oldest = Math.min(oldest, call.arrivedAt);
  // max(0, …): a call stamped a few ms "in the future" (clock step) has not waited a negative time.
  return { at, waiting: snapshot.waiting.length, longestWaitMs: Math.max(0, at - oldest), seats };
}
