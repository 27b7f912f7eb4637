// Who gets the next call, and which call goes first. Pure policy, no I/O.

export interface SeatView {
  id: string;
  state: string;
  /** When the seat last became free (ms): the longest-idle ready seat gets the next call. */
  idleSince: number;
  reachable: boolean;
}

export interface WaitingView {
  key: string;
  /** Lower is served first (e.g. calls handed back from 12345 before new calls). */
  priority: number;
  /** Arrival at the centre: a call whose offer failed keeps it, and so its place at the head. */
  arrivedAt: number;
}

/** The ready, reachable seat idle the longest; ties by seat id so the choice is repeatable. */
export function pickSeat<S extends SeatView>(seats: Iterable<S>, exclude: ReadonlySet<string> = new Set()): S | undefined {
  let best: S | undefined;
  for (const seat of seats) {
    if (seat.state !== 'ready' || !seat.reachable || exclude.has(seat.id)) continue;
    if (!best || seat.idleSince < best.idleSince || (seat.idleSince === best.idleSince && seat.id < best.id)) best = seat;
  }
  return best;
}

/** First come, first served within priority classes. */
export function orderWaiting<W extends WaitingView>(waiting: Iterable<W>): W[] {
  return [...waiting].sort((a, b) => a.priority - b.priority || a.arrivedAt - b.arrivedAt || (a.key < b.key ? -1 : 1));
}
