// The caller's call as a state machine: states are named for what the caller lives through.
// Every event either moves the call or is explicitly ignored in that state; nothing is implicit.

export type CallState =
  | 'arrived' //   in the service, incident being numbered; caller hears ringing
  | 'waiting' //   in the queue for a call-taker; caller hears ringing
  | 'offered' //   a seat (or the overflow target) is being rung for it; caller hears ringing
  | 'talking' //   a call-taker has the caller
  | 'ended'; //    the caller's channel is gone

export type CallEvent =
  | 'incident_opened' //  the incident row exists
  | 'offered' //          a seat or the overflow target is rung for this call
  | 'offer_failed' //     every ringing offer failed; back to waiting, place kept
  | 'taker_answered' //   a call-taker's seat is joined with the caller
  | 'taker_left' //       the call-taker left; caller back to waiting for another
  | 'caller_hung_up'
  | 'lost'; //            the channel vanished while the service was away

type Table = Record<CallState, Partial<Record<CallEvent, CallState | 'ignore'>>>;

const TRANSITIONS: Table = {
  arrived: { incident_opened: 'waiting', caller_hung_up: 'ended', lost: 'ended' },
  // taker_answered from waiting: with the overflow target ringing too, one offer can fail just
  // before the other is answered.
  waiting: { offered: 'offered', taker_answered: 'talking', caller_hung_up: 'ended', lost: 'ended', incident_opened: 'ignore', offer_failed: 'ignore' },
  offered: { offered: 'ignore', offer_failed: 'waiting', taker_answered: 'talking', caller_hung_up: 'ended', lost: 'ended' },
  talking: { taker_left: 'waiting', caller_hung_up: 'ended', lost: 'ended', taker_answered: 'ignore', offer_failed: 'ignore' },
  ended: { caller_hung_up: 'ignore', lost: 'ignore', taker_left: 'ignore', taker_answered: 'ignore', incident_opened: 'ignore', offered: 'ignore', offer_failed: 'ignore' },
};

export class IllegalTransition extends Error {
  readonly code = 'ILLEGAL_TRANSITION';
  override readonly name = this.constructor.name;
  constructor(
    readonly state: CallState,
    readonly event: CallEvent,
  ) {
    super(`event ${event} is not allowed in state ${state}`);
  }
}

/** The next state, the same state when the event is explicitly ignored, or IllegalTransition. */
export function nextState(state: CallState, event: CallEvent): CallState {
  const next = TRANSITIONS[state][event];
  if (next === undefined) throw new IllegalTransition(state, event);
  return next === 'ignore' ? state : next;
}

export const CALL_STATES: readonly CallState[] = ['arrived', 'waiting', 'offered', 'talking', 'ended'];

export const isCallState = (s: string): s is CallState => (CALL_STATES as readonly string[]).includes(s);
