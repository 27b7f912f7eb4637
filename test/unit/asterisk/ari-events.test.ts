import t from 'tap';
import { parseAriEvent, isKnownEvent } from '../../../src/asterisk/ari-events';
import { translateAriError, ChannelGone, BridgeGone, AsteriskUnavailable, TelephonyRejected } from '../../../src/asterisk/errors';
import { parseAsteriskTime } from '../../../src/calls/stasis-bindings';
import { toLiveChannel } from '../../../src/asterisk/telephony';

const channel = { id: 'c1', name: 'PJSIP/trunk110-1', state: 'Ring', caller: { name: '"O\'Brien"; DROP TABLE', number: '' } };

t.test('events parse, unknown ones pass as other, malformed ones are refused', async (t) => {
  const start = parseAriEvent(JSON.stringify({ type: 'StasisStart', args: ['110'], channel }));
  t.ok(start && isKnownEvent(start));
  t.same(start && 'channel' in start ? start.channel.caller : undefined, channel.caller, 'caller id kept as received');
  const other = parseAriEvent(JSON.stringify({ type: 'ChannelVarset' }));
  t.ok(other && !isKnownEvent(other));
  t.equal(parseAriEvent('not json'), undefined);
  t.equal(parseAriEvent(JSON.stringify({ type: 'StasisStart', channel: { id: 5 } })), undefined);
});

t.test('ARI errors become typed errors at the edge', async (t) => {
  t.type(translateAriError(new Error('{"message":"Channel not found"}'), { channelId: 'c1' }), ChannelGone);
  t.type(translateAriError(new Error('{"message":"Bridge not found"}'), { bridgeId: 'b1' }), BridgeGone);
  t.type(translateAriError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), {}), AsteriskUnavailable);
  t.type(translateAriError(new Error('{"message":"Channel not in Stasis application"}'), { channelId: 'c1' }), TelephonyRejected);
});

t.test('Asterisk times and channels', async (t) => {
  t.equal(parseAsteriskTime('2026-11-23T19:30:00.123+0800', 0), Date.parse('2026-11-23T11:30:00.123Z'));
  t.equal(parseAsteriskTime('garbage', 42), 42);
  t.equal(parseAsteriskTime(undefined, 7), 7);
  const live = toLiveChannel({ ...channel, dialplan: { context: 'from-110-trunk', exten: '110', priority: 3, app_name: 'Stasis', app_data: 'cti110,110' } }, 'cti110');
  t.equal(live.inOurApp, true);
  t.equal(toLiveChannel({ ...channel, dialplan: { context: 'x', exten: 's', priority: 1, app_name: 'Stasis', app_data: 'other,110' } }, 'cti110').inOurApp, false);
});
