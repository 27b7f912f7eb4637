// A text conversation as a state machine. Pure: no I/O, unit-tested on its own.
//   waiting   in the queue (with the calls, in its own priority class)
//   with_seat a seat has it in its console
//   released  the seat let it go (answered for now); a further text from the number queues it again
//   closed    over; a further text from the number opens a new incident
import { ConversationStateError } from './errors';

export type ConversationState = 'waiting' | 'with_seat' | 'released' | 'closed';

export type ConversationEvent =
  | 'taken' //     the queue gave it to a seat
  | 'text_in' //   the sender wrote again
  | 'release' //   the call-taker let it go
  | 'requeue' //   its seat logged out or was lost: back to the queue, keeping its place
  | 'close'; //    the incident is dealt with

export const CONVERSATION_STATES: readonly ConversationState[] = ['waiting', 'with_seat', 'released', 'closed'];

type Next = ConversationState | 'ignore';
const T: Record<ConversationState, Partial<Record<ConversationEvent, Next>>> = {
  waiting: { taken: 'with_seat', text_in: 'ignore', requeue: 'ignore', close: 'closed' },
  with_seat: { text_in: 'ignore', release: 'released', requeue: 'waiting', close: 'closed' },
  // A new text after the seat let go needs a call-taker again: it waits in the queue.
  released: { text_in: 'waiting', requeue: 'ignore', close: 'closed' },
  closed: { close: 'ignore', release: 'ignore', requeue: 'ignore' },
};

/** The next state; throws ConversationStateError for an event the state does not allow. */
export function nextConversationState(state: ConversationState, event: ConversationEvent): ConversationState {
  const next = T[state][event];
  if (next === undefined) throw new ConversationStateError(`a text conversation that is ${state.replace('_', ' ')} cannot ${event.replace('_', ' ')}`);
  return next === 'ignore' ? state : next;
}

/** Whether a reply may be sent: to anyone whose conversation is not closed. */
export const canReply = (state: ConversationState): boolean => state !== 'closed';

export const isConversationState = (s: string): s is ConversationState => (CONVERSATION_STATES as readonly string[]).includes(s);
