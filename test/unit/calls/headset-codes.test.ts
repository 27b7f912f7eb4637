// Two-key codes from a call-taker's headset: the pair, its timing, one action per code.
import t from 'tap';
import { HeadsetCodes, DTMF_PAIR_MS } from '../../../src/calls/headset-codes';

function setup() {
  let now = 1000;
  const done: string[] = [];
  const codes = new HeadsetCodes({ '1': (ch) => done.push(`dispatch ${ch}`), '2': (ch) => done.push(`recall ${ch}`) }, () => now);
  return { codes, done, tick: (ms: number) => (now += ms) };
}

t.test('* then a digit within the pair time runs that code', async (t) => {
  const s = setup();
  t.equal(s.codes.digit('leg', '*'), undefined);
  s.tick(500);
  t.equal(s.codes.digit('leg', '1'), '*1');
  s.codes.digit('leg', '*');
  t.equal(s.codes.digit('leg', '2'), '*2');
  t.same(s.done, ['dispatch leg', 'recall leg']);
});

t.test('nothing for a digit alone, an unknown code, a slow pair or a forgotten channel', async (t) => {
  const s = setup();
  t.equal(s.codes.digit('leg', '1'), undefined, '1 alone');
  s.codes.digit('leg', '*');
  t.equal(s.codes.digit('leg', '9'), undefined, '*9 means nothing');
  t.equal(s.codes.digit('leg', '1'), undefined, 'the * was used up by the 9');
  s.codes.digit('leg', '*');
  s.tick(DTMF_PAIR_MS + 1);
  t.equal(s.codes.digit('leg', '1'), undefined, 'too slow');
  s.codes.digit('leg', '*');
  t.equal(s.codes.digit('other', '1'), undefined, "another channel's * does not count");
  s.codes.digit('leg', '*');
  s.codes.forget('leg');
  t.equal(s.codes.digit('leg', '1'), undefined, 'a * forgotten when the channel went');
  t.same(s.done, []);
});

t.test('one press sent as many key events (RFC 4733 repeats): one action', async (t) => {
  const s = setup();
  for (let i = 0; i < 4; i++) s.codes.digit('leg', '*');
  for (let i = 0; i < 4; i++) s.codes.digit('leg', '1');
  t.same(s.done, ['dispatch leg']);
});
