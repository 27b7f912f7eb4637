// The gateway's webhook as the texts area reads it: the signature over the raw body, and every
// way a body can be wrong answered with its own sentence. Pure, no I/O.
import t from 'tap';
import { sign, signatureMatches } from '../../../src/texts/signature';
import { nationalNumber, parseInbound, MAX_TEXT_CHARS } from '../../../src/texts/inbound';
import { BadInboundText } from '../../../src/texts/errors';

const SECRET = 'a-shared-secret-of-the-gateway';
const good = { messageId: 'MO-1', from: '+8613800138000', to: '12110', text: '我被困在电梯里，不方便说话', timestamp: '2026-12-07T17:00:00+08:00' };

t.test('signature: HMAC-SHA256 of the raw body, hex, sha256= prefix', async (t) => {
  const body = JSON.stringify(good);
  const header = sign(SECRET, body);
  t.match(header, /^sha256=[0-9a-f]{64}$/);
  t.ok(signatureMatches(SECRET, body, header));
  t.ok(signatureMatches(SECRET, body, header.toUpperCase().replace('SHA256=', 'sha256=')), 'hex in either case');
  t.notOk(signatureMatches('another-secret-of-16+', body, header), 'another secret');
  t.notOk(signatureMatches(SECRET, body.replace('电梯', '楼梯'), header), 'one character of the body changed');
  t.notOk(signatureMatches(SECRET, `${body} `, header), 'whitespace added: other bytes, another message');
  for (const bad of [undefined, '', 'sha256=', 'sha1=abc', `sha256=${'0'.repeat(63)}`, `sha256=${'z'.repeat(64)}`, ['x'], 42]) t.notOk(signatureMatches(SECRET, body, bad), `refused: ${JSON.stringify(bad)}`);
});

t.test('a good body: fields taken, +86 dropped from the sender, the time in ms', async (t) => {
  const m = parseInbound(JSON.stringify(good));
  t.same(m, { messageId: 'MO-1', from: '13800138000', to: '12110', text: good.text, sentAt: Date.parse('2026-12-07T09:00:00Z') });
  t.equal(parseInbound(JSON.stringify({ ...good, timestamp: 1_765_000_000_000 })).sentAt, 1_765_000_000_000, 'ms since the epoch too');
  t.equal(parseInbound(JSON.stringify({ ...good, text: '' })).text, '', 'an empty text is still a text (someone who cannot type more)');
  t.same([nationalNumber('+86 138-0013-8000'), nationalNumber('008613800138000'), nationalNumber('+4412345'), nationalNumber('13800138000')], ['13800138000', '13800138000', '+4412345', '13800138000']);
});

t.test('a malformed body: BadInboundText saying what is wrong', async (t) => {
  const cases: [string, RegExp][] = [
    ['{"messageId":', /not JSON/],
    ['[1,2]', /JSON object/],
    ['null', /JSON object/],
    [JSON.stringify({ ...good, messageId: undefined }), /no "messageId"/],
    [JSON.stringify({ ...good, messageId: 'has space' }), /"messageId" must be/],
    [JSON.stringify({ ...good, messageId: 'x'.repeat(65) }), /"messageId" must be/],
    [JSON.stringify({ ...good, from: 'alice' }), /"from" must be a phone number/],
    [JSON.stringify({ ...good, from: 13800138000 }), /"from" must be a phone number/],
    [JSON.stringify({ ...good, to: '' }), /"to" must be/],
    [JSON.stringify({ ...good, text: 7 }), /"text" must be a string/],
    [JSON.stringify({ ...good, text: 'x'.repeat(MAX_TEXT_CHARS + 1) }), /longer than/],
    [JSON.stringify({ ...good, timestamp: 'yesterday' }), /"timestamp" must be/],
    [JSON.stringify({ ...good, timestamp: '2026-12-07T17:00:00' }), /"timestamp" must be/],
    [JSON.stringify({ ...good, timestamp: -1 }), /"timestamp" must be/],
    [JSON.stringify({ ...good, timestamp: undefined }), /no "timestamp"/],
  ];
  for (const [body, message] of cases) t.throws(() => parseInbound(body), Object.assign(new BadInboundText(''), { message }), body.slice(0, 60));
});
