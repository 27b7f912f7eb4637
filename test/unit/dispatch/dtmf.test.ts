// *1 from a call-taker's headset: the pair, its timing, and what the call-taker hears.
import t from 'tap';
import pino from 'pino';
import { DtmfDispatch, DTMF_PAIR_MS } from '../../../src/dispatch/dtmf';
import { LocationUnknown } from '../../../src/dispatch/service';

function setup(opts: { fail?: Error } = {}) {
  let now = 1000;
  const dispatched: string[] = [];
  const played: string[] = [];
  const stamped: { kind: string; detail: Record<string, unknown> }[] = [];
  const d = new DtmfDispatch(
    { incidentOfTaker: (leg) => (leg === 'seat-leg' ? '20261123-000001' : undefined) },
    {
      dispatch: async (incident) => {
        dispatched.push(incident);
        if (opts.fail) throw opts.fail;
        return { ranking: {} as never, targets: [] };
      },
    },
    { findByNumber: async () => ({ id: 7 }) as never, stamp: async (_id, kind, detail = {}) => void stamped.push({ kind, detail }) },
    { play: async (ch, media) => void played.push(`${ch} ${media}`) },
    pino({ level: 'silent' }),
    () => now,
  );
  return { d, dispatched, played, stamped, tick: (ms: number) => (now += ms) };
}
const settle = () => new Promise((r) => setImmediate(r));

t.test('* then 1 on a call-taker in a call dispatches, with a beep', async (t) => {
  const s = setup();
  t.notOk(s.d.digit('seat-leg', '*'));
  s.tick(500);
  t.ok(s.d.digit('seat-leg', '1'));
  await settle();
  t.same(s.dispatched, ['20261123-000001']);
  t.same(s.played, ['seat-leg sound:beep']);
});

t.test('not a dispatch: 1 alone, another key between, too slow, or no call', async (t) => {
  const s = setup();
  t.notOk(s.d.digit('seat-leg', '1'), '1 alone');
  s.d.digit('seat-leg', '*');
  t.notOk(s.d.digit('seat-leg', '2'), '*2');
  t.notOk(s.d.digit('seat-leg', '1'), 'the * was used up by the 2');
  s.d.digit('seat-leg', '*');
  s.tick(DTMF_PAIR_MS + 1);
  t.notOk(s.d.digit('seat-leg', '1'), 'too slow');
  s.d.digit('other-leg', '*');
  t.notOk(s.d.digit('other-leg', '1'), 'a channel with no call in progress');
  s.d.digit('seat-leg', '*');
  s.d.forget('seat-leg');
  t.notOk(s.d.digit('seat-leg', '1'), 'a * forgotten when the channel went');
  await settle();
  t.same(s.dispatched, []);
});

t.test('refused (no location yet): error tone and the reason on the timeline, the call goes on', async (t) => {
  const s = setup({ fail: new LocationUnknown('incident 20261123-000001 has no caller location yet') });
  s.d.digit('seat-leg', '*');
  s.d.digit('seat-leg', '1');
  await settle();
  await settle();
  t.same(s.played, ['seat-leg sound:beeperr']);
  t.match(s.stamped, [{ kind: 'dispatch_refused', detail: { via: 'dtmf', reason: /no caller location/ } }]);
});
