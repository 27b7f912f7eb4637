// The life of one follow-up, as a transition table (STYLE.md: each event moves the state or is
// refused, every move logged): scheduled → calling → answered, or → no_answer → scheduled again
// (a retry) or not_reached (retries used up). Only scheduled, calling, answered and not_reached are
// stored; no_answer is decided on at once.
export type FollowUpState = 'scheduled' | 'calling' | 'answered' | 'no_answer' | 'not_reached';
export type FollowUpEvent = 'due' | 'reached' | 'unreached' | 'retry' | 'give_up' | 'interrupted';

const MOVES: Record<FollowUpState, Partial<Record<FollowUpEvent, FollowUpState>>> = {
  scheduled: { due: 'calling' },
  // interrupted: the service stopped (or died) during the call; a restart rings again.
  calling: { reached: 'answered', unreached: 'no_answer', interrupted: 'scheduled' },
  no_answer: { retry: 'scheduled', give_up: 'not_reached' },
  answered: {},
  not_reached: {},
};

export class FollowUpStateError extends Error {
  readonly code = 'FOLLOW_UP_STATE';
  override readonly name = this.constructor.name;
  constructor(
    readonly state: FollowUpState,
    readonly event: FollowUpEvent,
  ) {
    super(`a follow-up in state ${state} cannot take ${event}`);
  }
}

export function move(state: FollowUpState, event: FollowUpEvent): FollowUpState {
  const next = MOVES[state][event];
  if (!next) throw new FollowUpStateError(state, event);
  return next;
}

export const isFinal = (state: FollowUpState): boolean => Object.keys(MOVES[state]).length === 0;

/** After an attempt that reached nobody: another one, or give up (1 + retries attempts in all). */
export function afterNoAnswer(attemptsMade: number, retries: number): 'retry' | 'give_up' {
  return attemptsMade <= retries ? 'retry' : 'give_up';
}
