// Browser seats' phone settings: the WebSocket URL follows ARI's unless configured, a SIP seat has
// none (404 for the console, which then says so), and the pages' CSP opens only what is needed.
import t from 'tap';
import { SeatPhones, wsUrlFromAri } from '../../../src/queue/seat-phones';

const seats = [
  { id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true },
  { id: '1101', endpoint: 'PJSIP/1101', autoAnswer: false, delivery: 'nailed' as const, webrtc: { password: 'seat-1101-dev' } },
  { id: '1102', endpoint: 'PJSIP/web-1102', autoAnswer: true, webrtc: { password: 'p' } },
];

t.test("the WebSocket is Asterisk's HTTP server, path /ws", async (t) => {
  t.equal(wsUrlFromAri('http://127.0.0.1:8088'), 'ws://127.0.0.1:8088/ws');
  t.equal(wsUrlFromAri('https://pbx.example:8089/asterisk/'), 'wss://pbx.example:8089/asterisk/ws', 'https gives wss, a prefix is kept');
  const configured = new SeatPhones(seats, { wsUrl: 'wss://sip.example/ws', ariUrl: 'http://127.0.0.1:8088', defaultDelivery: 'ring' });
  t.equal(configured.phoneOf('1101').wsUrl, 'wss://sip.example/ws', 'webrtc.wsUrl wins when set');
  t.same(configured.origins(), ['wss://sip.example']);
});

t.test('settings of a browser seat; none for a SIP seat or an unknown one', async (t) => {
  const phones = new SeatPhones(seats, { wsUrl: '', ariUrl: 'http://127.0.0.1:8088', defaultDelivery: 'ring' });
  t.same(phones.phoneOf('1101'), { seat: '1101', wsUrl: 'ws://127.0.0.1:8088/ws', uri: 'sip:1101@127.0.0.1', user: '1101', password: 'seat-1101-dev', delivery: 'nailed', autoAnswer: false });
  t.match(phones.phoneOf('1102'), { user: 'web-1102', uri: 'sip:web-1102@127.0.0.1', delivery: 'ring' }, 'the SIP user is the endpoint, the delivery the default');
  t.throws(() => phones.phoneOf('1001'), { code: 'NOT_A_BROWSER_SEAT' });
  t.throws(() => phones.phoneOf('9999'), { code: 'SEAT_NOT_FOUND' });
  t.same(phones.origins(), ['ws://127.0.0.1:8088'], "the pages' CSP may connect to Asterisk's WebSocket");
  t.same(new SeatPhones(seats.slice(0, 1), { wsUrl: '', ariUrl: 'http://127.0.0.1:8088', defaultDelivery: 'ring' }).origins(), [], 'no browser seat: the CSP stays as it was');
});
