import t from 'tap';
import { nextSeatState, SeatStateError, SEAT_STATES } from '../../../src/queue/seat-state';

t.test('a seat through a shift', async (t) => {
  let s = nextSeatState('logged_out', 'login', 0);
  t.equal(s, 'ready');
  s = nextSeatState(s, 'offer', 0);
  t.equal(s, 'ringing');
  s = nextSeatState(s, 'answered', 0);
  t.equal(s, 'on_call');
  t.equal(nextSeatState(s, 'call_ended', 0), 'ready', 'no wrap-up by default: the next call at once');
  t.equal(nextSeatState(s, 'call_ended', 5000), 'wrap_up', 'wrap-up when configured');
  t.equal(nextSeatState('wrap_up', 'wrap_up_done', 5000), 'ready');
});

t.test('offers that fail or are withdrawn', async (t) => {
  t.equal(nextSeatState('ringing', 'offer_failed', 0), 'not_ready', 'ring-no-answer: not ready');
  t.equal(nextSeatState('ringing', 'offer_cancelled', 0), 'ready', 'caller gone: ready again');
});

t.test('what a seat cannot do is an explicit error with a readable message', async (t) => {
  t.throws(() => nextSeatState('logged_out', 'offer', 0), SeatStateError, 'a logged-out seat is never offered a call');
  t.throws(() => nextSeatState('not_ready', 'offer', 0), SeatStateError);
  t.throws(() => nextSeatState('on_call', 'logout', 0), { message: 'a seat that is on call cannot logout' });
  for (const state of SEAT_STATES) {
    if (state === 'ready') continue;
    t.throws(() => nextSeatState(state, 'offer', 0), SeatStateError, `${state} is never offered a call`);
  }
});

t.test('an answer is a fact: never refused, whatever the seat was in', async (t) => {
  for (const state of SEAT_STATES) {
    t.equal(nextSeatState(state, 'answered', 0), 'on_call', `${state} + answered: on call (the caller is on its phone)`);
  }
  t.equal(nextSeatState('on_call', 'not_ready', 0), 'on_call', 'not ready during a call keeps the call (Seats does it after)');
});
