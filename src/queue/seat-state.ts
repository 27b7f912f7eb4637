// A call-taker seat as a state machine. Pure: no I/O, unit-tested on its own.

export type SeatState = 'logged_out' | 'ready' | 'ringing' | 'on_call' | 'wrap_up' | 'not_ready';

export type SeatEvent =
  | 'login'
  | 'logout'
  | 'ready'
  | 'not_ready'
  | 'offer' //          a call is being delivered to the seat
  | 'answered' //       the seat has the caller
  | 'offer_failed' //   ring-no-answer or unreachable: the seat goes not ready with a reason
  | 'offer_cancelled' // the caller hung up (or another leg won) before the seat answered
  | 'call_ended' //     the seat's call is over: wrap-up (or ready at once when wrap-up is 0)
  | 'wrap_up_done';

export const SEAT_STATES: readonly SeatState[] = ['logged_out', 'ready', 'ringing', 'on_call', 'wrap_up', 'not_ready'];

type Next = SeatState | 'ignore' | 'wrap';
// 'answered' is a fact, not a request: the seat's phone is up with a caller on it, so it is on a
// call whatever it was in (e.g. an answer that crossed the call-taker's "not ready"). It is never
// refused; Seats.apply() remembers where the seat goes once that call is over.
const T: Record<SeatState, Partial<Record<SeatEvent, Next>>> = {
  logged_out: { login: 'ready', logout: 'ignore', offer_cancelled: 'ignore', call_ended: 'ignore', wrap_up_done: 'ignore', offer_failed: 'ignore', answered: 'on_call' },
  ready: { login: 'ignore', logout: 'logged_out', ready: 'ignore', not_ready: 'not_ready', offer: 'ringing', wrap_up_done: 'ignore', offer_cancelled: 'ignore', call_ended: 'ignore', answered: 'on_call' },
  ringing: { answered: 'on_call', offer_failed: 'not_ready', offer_cancelled: 'ready', logout: 'logged_out', not_ready: 'not_ready' },
  // not ready during a call keeps the call; the seat goes not ready when it ends (Seats.apply).
  on_call: { call_ended: 'wrap', not_ready: 'ignore', ready: 'ignore', login: 'ignore', answered: 'ignore' },
  wrap_up: { wrap_up_done: 'ready', ready: 'ready', not_ready: 'not_ready', logout: 'logged_out', login: 'ignore', call_ended: 'ignore', answered: 'on_call' },
  not_ready: { ready: 'ready', not_ready: 'not_ready', logout: 'logged_out', login: 'ignore', wrap_up_done: 'ignore', offer_cancelled: 'ignore', call_ended: 'ignore', answered: 'on_call' },
};

export class SeatStateError extends Error {
  readonly code = 'SEAT_STATE';
  override readonly name = this.constructor.name;
  constructor(
    readonly state: SeatState,
    readonly event: SeatEvent,
  ) {
    super(`a seat that is ${state.replace('_', ' ')} cannot ${event.replace('_', ' ')}`);
  }
}

/** Next state; `wrapUpMs` decides whether a finished call goes through wrap-up. */
export function nextSeatState(state: SeatState, event: SeatEvent, wrapUpMs: number): SeatState {
  const next = T[state][event];
  if (next === undefined) throw new SeatStateError(state, event);
  if (next === 'ignore') return state;
  if (next === 'wrap') return wrapUpMs > 0 ? 'wrap_up' : 'ready';
  return next;
}
