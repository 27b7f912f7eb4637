// The service's key: made once on first start, the same on every start after, kept private.
import t from 'tap';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFileOf, loadKey, loadOrCreateKey, loadPublicKey, signText, verifyText } from '../../../src/audit/keys';

t.test('made on first start, loaded after; the public half beside it', async (t) => {
  const file = join(t.testdir({}), 'var', 'audit-ed25519.pem');
  t.equal(keyFileOf('', join(t.testdirName, 'var', 'cti110.sqlite')), file, "'' = beside the store");
  t.equal(keyFileOf('/etc/cti110/key.pem', 'x/y.sqlite'), '/etc/cti110/key.pem');
  const first = loadOrCreateKey(file);
  t.equal(statSync(file).mode & 0o777, 0o600, 'only the owner reads it');
  const again = loadOrCreateKey(file);
  t.equal(again.keyId, first.keyId, 'the same key on the next start');
  const pub = loadPublicKey(`${file}.pub`);
  t.ok(verifyText(pub, 'hello', signText(first, 'hello')), 'the .pub verifies what the key signs');
  t.notOk(verifyText(pub, 'hello!', signText(first, 'hello')));
  t.notOk(verifyText(pub, 'hello', 'not base64 at all'), 'a malformed signature is a bad one, not an exception');
  t.equal(loadPublicKey(file).export({ type: 'spki', format: 'pem' }), readFileSync(`${file}.pub`, 'utf8'), 'the private file gives its public half too');
});

t.test('refused: readable by others, or not an Ed25519 private key', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'k.pem');
  loadOrCreateKey(file);
  chmodSync(file, 0o644);
  t.throws(() => loadKey(file), { code: 'AUDIT_KEY', message: /readable by others/ });
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'nothing', { mode: 0o600 });
  t.throws(() => loadKey(junk), { code: 'AUDIT_KEY', message: /not a private key/ });
});
