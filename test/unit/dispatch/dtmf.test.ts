// *1 from a call-taker's headset (paired by calls/headset-codes): what the call-taker hears.
import t from 'tap';
import pino from 'pino';
import { DtmfDispatch } from '../../../src/dispatch/dtmf';
import { LocationUnknown } from '../../../src/dispatch/service';

function setup(opts: { fail?: Error } = {}) {
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
  );
  return { d, dispatched, played, stamped };
}
const settle = () => new Promise((r) => setImmediate(r));

t.test('*1 on a call-taker in a call dispatches, with a beep', async (t) => {
  const s = setup();
  t.ok(s.d.pressed('seat-leg'));
  await settle();
  t.same(s.dispatched, ['20261123-000001']);
  t.same(s.played, ['seat-leg sound:beep']);
});

t.test('not a dispatch: a channel with no call in progress (a caller pressing *1)', async (t) => {
  const s = setup();
  t.notOk(s.d.pressed('other-leg'));
  await settle();
  t.same(s.dispatched, []);
  t.same(s.played, []);
});

t.test('refused (no location yet): error tone and the reason on the timeline, the call goes on', async (t) => {
  const s = setup({ fail: new LocationUnknown('incident 20261123-000001 has no caller location yet') });
  s.d.pressed('seat-leg');
  await settle();
  await settle();
  t.same(s.played, ['seat-leg sound:beeperr']);
  t.match(s.stamped, [{ kind: 'dispatch_refused', detail: { via: 'dtmf', reason: /no caller location/ } }]);
});
