// A text conversation's state machine, which seat a text goes to, and the texts configuration's
// own checks. Pure, no I/O.
import t from 'tap';
import { canReply, nextConversationState, type ConversationState } from '../../../src/texts/conversation';
import { pickTextSeat } from '../../../src/texts/seat-pick';
import { checkTextsConfig } from '../../../src/texts/settings';
import { DEFAULTS } from '../../../src/config/schema';
import { ConversationStateError } from '../../../src/texts/errors';

t.test('conversation: queued, taken, let go, queued again by a new text, closed', async (t) => {
  let s: ConversationState = 'waiting';
  const go = (e: Parameters<typeof nextConversationState>[1]) => (s = nextConversationState(s, e));
  t.equal(go('text_in'), 'waiting', 'a text while waiting joins it');
  t.equal(go('taken'), 'with_seat');
  t.equal(go('text_in'), 'with_seat', 'a text while a seat has it goes to that seat');
  t.equal(go('release'), 'released');
  t.equal(go('text_in'), 'waiting', 'a new text after the seat let go waits for a call-taker again');
  t.equal(go('taken'), 'with_seat');
  t.equal(go('requeue'), 'waiting', 'its seat logged out');
  t.equal(go('close'), 'closed');
  t.equal(go('close'), 'closed', 'closing twice is closing once');
  t.notOk(canReply('closed'));
  t.ok(canReply('released') && canReply('with_seat') && canReply('waiting'));
});

t.test('conversation: what a state does not allow is refused with a sentence', async (t) => {
  t.throws(() => nextConversationState('waiting', 'release'), new ConversationStateError('a text conversation that is waiting cannot release'));
  t.throws(() => nextConversationState('closed', 'text_in'), ConversationStateError, 'a closed conversation takes no text: the inbox opens a new incident');
  t.throws(() => nextConversationState('with_seat', 'taken'), ConversationStateError);
});

const seat = (id: string, state: string, idleSince: number, reachable = true) => ({ id, state, idleSince, reachable });

t.test('seat pick: a text occupies a seat as a call does, unless seats may hold both', async (t) => {
  const seats = [seat('1001', 'on_call', 1), seat('1002', 'ready', 5), seat('1003', 'ready', 3), seat('1004', 'not_ready', 0), seat('1005', 'ready', 2, false)];
  t.equal(pickTextSeat(seats, new Set(), false)?.id, '1003', 'the ready, reachable seat idle longest');
  t.equal(pickTextSeat(seats, new Set(['1003']), false)?.id, '1002', 'a seat holding a text takes no second one');
  t.equal(pickTextSeat(seats, new Set(), true)?.id, '1005', 'beside calls: a ready seat first (no phone needed for a text)');
  t.equal(pickTextSeat(seats, new Set(['1002', '1003', '1005']), true)?.id, '1001', 'then a seat on a call');
  t.equal(pickTextSeat(seats, new Set(['1001', '1002', '1003', '1005']), true), undefined, 'never a seat not ready');
  t.equal(pickTextSeat([seat('1001', 'on_call', 0)], new Set(), false), undefined, 'one thing at a time by default');
});

t.test('config: secret and send URL go together; the priority class is queue.priorities.sms', async (t) => {
  const config = structuredClone({ texts: DEFAULTS.texts, queue: DEFAULTS.queue });
  t.equal(checkTextsConfig(config).priority, 20, 'sms: after new 110 calls (10) by default');
  t.equal(checkTextsConfig({ ...config, queue: { ...config.queue, priorities: {} } }).priority, 100, 'unlisted: 100, as for calls');
  t.throws(() => checkTextsConfig({ ...config, texts: { ...config.texts, secret: 'x'.repeat(16) } }), /texts\.sendUrl: missing/);
  t.throws(() => checkTextsConfig({ ...config, texts: { ...config.texts, sendUrl: 'http://gw/send' } }), /texts\.secret: missing/);
  t.throws(() => checkTextsConfig({ ...config, texts: { ...config.texts, secret: 'x'.repeat(16), sendUrl: 'http://[x/send' } }), /not a valid URL/);
});
