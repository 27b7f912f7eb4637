// Erlang C: how many call-takers a queue needs for a given answer-time target. Pure, no I/O.
//
// The model (M/M/N): calls arrive at random (Poisson) at `ratePerS`, each holds a seat for
// `handleS` on average (exponential), N seats take calls first come first served and nobody
// hangs up while waiting. Traffic A = ratePerS × handleS (erlangs) is the seats kept busy on
// average; N must exceed A or the queue grows without end. Erlang C ignores callers who give up
// (Erlang A would count them): with them the real wait is a little shorter, so C errs on the side
// of one seat too many, which is the right side for 110.

/** Erlang B: the chance that all N seats are busy with no queue, by the stable recursion B(n) = A·B(n-1) / (n + A·B(n-1)). */
export function erlangB(traffic: number, seats: number): number {
  let b = 1;
  for (let n = 1; n <= seats; n++) b = (traffic * b) / (n + traffic * b);
  return b;
}

/** Erlang C: the chance that a call has to wait at all (1 when N ≤ A: the queue never empties). */
export function erlangC(traffic: number, seats: number): number {
  if (traffic <= 0) return 0;
  if (seats <= traffic) return 1;
  const b = erlangB(traffic, seats);
  return (seats * b) / (seats - traffic * (1 - b));
}

/** Share (0–1) of calls answered within `targetS`: 1 − C·e^(−(N−A)·t/h). */
export function answeredWithin(traffic: number, seats: number, handleS: number, targetS: number): number {
  if (traffic <= 0) return 1;
  if (seats <= traffic) return 0;
  return 1 - erlangC(traffic, seats) * Math.exp((-(seats - traffic) * targetS) / handleS);
}

/** Average wait of all calls (answered at once ones included): C·h / (N − A). */
export function averageWaitS(traffic: number, seats: number, handleS: number): number {
  if (traffic <= 0) return 0;
  if (seats <= traffic) return Infinity;
  return (erlangC(traffic, seats) * handleS) / (seats - traffic);
}

export interface SeatsNeeded {
  /** Traffic in erlangs (seats busy on average). */
  traffic: number;
  /** Fewest seats that answer `goal` of the calls within the target. */
  seats: number;
  /** The share within the target those seats give (≥ goal). */
  within: number;
}

/**
 * The fewest seats answering at least `goal` (0 < goal < 1) of the calls within `targetS`.
 * A goal of 1 ("every call") has no finite answer in this model: callers arrive at random, so
 * some always arrive together; callers of this function pick a share, and say which.
 */
export function seatsNeeded(ratePerS: number, handleS: number, targetS: number, goal: number): SeatsNeeded {
  if (!(goal > 0 && goal < 1)) throw new RangeError(`goal must be between 0 and 1 (exclusive), not ${goal}`);
  if (!(ratePerS >= 0 && Number.isFinite(ratePerS)) || !(handleS > 0 && Number.isFinite(handleS))) throw new RangeError(`rate (${ratePerS}/s) and handle time (${handleS} s) must be finite, the handle time above 0`);
  const traffic = ratePerS * handleS;
  if (traffic === 0) return { traffic, seats: 0, within: 1 };
  // Erlang B kept up to date as N grows: one pass, O(N), even for thousands of erlangs.
  let seats = 0;
  let b = 1;
  for (;;) {
    seats += 1;
    b = (traffic * b) / (seats + traffic * b);
    if (seats <= traffic) continue;
    const c = (seats * b) / (seats - traffic * (1 - b));
    const within = 1 - c * Math.exp((-(seats - traffic) * targetS) / handleS);
    if (within >= goal) return { traffic, seats, within };
  }
}
