import t from 'tap';
import { nextState, IllegalTransition, CALL_STATES, type CallEvent } from '../../../src/calls/call-state';

t.test('a call goes arrived -> waiting -> offered -> talking -> ended', async (t) => {
  let s = nextState('arrived', 'incident_opened');
  t.equal(s, 'waiting');
  s = nextState(s, 'offered');
  t.equal(s, 'offered');
  t.equal(nextState(s, 'offer_failed'), 'waiting', 'a failed offer puts the call back to waiting');
  s = nextState(s, 'taker_answered');
  t.equal(s, 'talking');
  t.equal(nextState(s, 'caller_hung_up'), 'ended');
});

t.test('a caller can hang up, or be lost, in every live state', async (t) => {
  for (const state of CALL_STATES) {
    t.equal(nextState(state, 'caller_hung_up'), 'ended', `${state} + caller_hung_up`);
    t.equal(nextState(state, 'lost'), 'ended', `${state} + lost`);
  }
});

t.test('ended ignores everything, and an unexpected event is an explicit error', async (t) => {
  const events: CallEvent[] = ['incident_opened', 'offered', 'offer_failed', 'taker_answered', 'taker_left', 'caller_hung_up', 'lost'];
  for (const e of events) t.equal(nextState('ended', e), 'ended');
  t.throws(() => nextState('arrived', 'taker_left'), IllegalTransition);
  t.throws(() => nextState('arrived', 'taker_answered'), IllegalTransition, 'nobody answers a call not yet in the queue');
});

t.test('a call-taker leaving puts the caller back to waiting, never dropped', async (t) => {
  t.equal(nextState('talking', 'taker_left'), 'waiting');
});
