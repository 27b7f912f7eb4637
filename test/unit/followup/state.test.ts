// A follow-up's states: every move in the table, anything else refused; retries counted.
import t from 'tap';
import { afterNoAnswer, FollowUpStateError, isFinal, move } from '../../../src/followup/state';

t.test('scheduled → calling → answered, or → no_answer → retry / not_reached', async (t) => {
  t.equal(move('scheduled', 'due'), 'calling');
  t.equal(move('calling', 'reached'), 'answered');
  t.equal(move('calling', 'unreached'), 'no_answer');
  t.equal(move('no_answer', 'retry'), 'scheduled');
  t.equal(move('no_answer', 'give_up'), 'not_reached');
  t.equal(move('calling', 'interrupted'), 'scheduled', 'a call cut by a restart is rung again');
  t.ok(isFinal('answered') && isFinal('not_reached') && !isFinal('no_answer'));
});

t.test('a move not in the table is refused', async (t) => {
  t.throws(() => move('answered', 'due'), FollowUpStateError);
  t.throws(() => move('scheduled', 'reached'), /a follow-up in state scheduled cannot take reached/);
});

t.test('1 + retries attempts in all', async (t) => {
  t.same([1, 2, 3].map((n) => afterNoAnswer(n, 2)), ['retry', 'retry', 'give_up']);
  t.equal(afterNoAnswer(1, 0), 'give_up', 'no retries: one attempt');
});
