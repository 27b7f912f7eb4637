// The From header comes URI-encoded from the dialplan and is stored whole: valid UTF-8 as text,
// any other byte as \xHH (it was stored as '' when ARI's JSON could not carry it).
import t from 'tap';
import { escapeBytes, fromHeader } from '../../../src/calls/from-header';

t.test('bytes that are not UTF-8 are kept, escaped', async (t) => {
  t.equal(escapeBytes(Buffer.from([0x22, 0xff, 0xfe, 0x22, 0x20, 0x3c])), '"\\xFF\\xFE" <');
  t.equal(escapeBytes(Buffer.from('张三 😀 O\\"Brien', 'utf8')), '张三 😀 O\\"Brien', 'valid UTF-8 unchanged, backslashes too');
  t.equal(escapeBytes(Buffer.from([0xe5, 0xbc, 0x41])), '\\xE5\\xBCA', 'a cut-off sequence: its bytes escaped, the next character kept');
  t.equal(escapeBytes(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80])), '\\xC0\\xAF\\xED\\xA0\\x80', 'overlong forms and surrogates are not UTF-8');
  t.equal(escapeBytes(Buffer.from([0x00, 0x41])), '\u0000A');
});

t.test('fromHeader decodes what the dialplan URI-encoded', async (t) => {
  t.equal(fromHeader({ CTI110_FROM_URI: '%22%FF%FEZhang%22%20%3Csip%3A13800000011%40127.0.0.2%3E%3Btag%3Dx' }), '"\\xFF\\xFEZhang" <sip:13800000011@127.0.0.2>;tag=x');
  t.equal(fromHeader({ CTI110_FROM_URI: '%E5%BC%A0%E4%B8%89%20%3Csip%3A%40127.0.0.2%3E' }), '张三 <sip:@127.0.0.2>');
  t.equal(fromHeader({ CTI110_FROM_URI: '100%25%zz%4' }), '100%%zz%4', 'a stray % is kept');
  t.equal(fromHeader({ CTI110_FROM: '<sip:1@h>', CTI110_FROM_URI: '' }), '<sip:1@h>', 'the plain one when ARI carried it (URIENCODE may have come out empty)');
  t.equal(fromHeader({ CTI110_FROM: '"a%41" <sip:1@h>', CTI110_FROM_URI: '%22a%2541%22' }), '"a%41" <sip:1@h>', 'exact, never decoded twice');
  t.equal(fromHeader({ CTI110_FROM: '', CTI110_FROM_URI: '%FF' }), '\\xFF', 'plain came empty: the encoded one');
  t.equal(fromHeader(undefined), '');
});
