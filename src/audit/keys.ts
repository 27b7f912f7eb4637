// The service's Ed25519 key: it signs the daily anchors and the incident exports. Made on first
// start, kept as a file only the service's user can read (like the other secrets, never in the
// database: a stolen or altered database must not carry the means to re-sign itself). The public
// half is written beside it (`<file>.pub`) to hand to whoever verifies.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class AuditKeyError extends Error {
  readonly code = 'AUDIT_KEY';
  override readonly name = this.constructor.name;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  publicPem: string;
}

/** `audit.keyFile` as configured, or '' for the file beside the SQLite store. */
export function keyFileOf(configured: string, storePath: string): string {
  return configured || join(dirname(storePath), 'audit-ed25519.pem');
}

/** First 16 hex of the SHA-256 of the public key (SPKI DER): names the key in anchors and exports. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Loads the key, or makes it when the file does not exist yet (first start). */
export function loadOrCreateKey(file: string): SigningKey {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    // 'wx': two services started at once must not each write a key and sign with different ones.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = loadKey(file);
  if (!existsSync(`${file}.pub`)) writeFileSync(`${file}.pub`, key.publicPem, { mode: 0o644 });
  return key;
}

/** Loads an existing private key; refuses one that others than its owner can read. */
export function loadKey(file: string): SigningKey {
  if ((statSync(file).mode & 0o077) !== 0) throw new AuditKeyError(`audit key ${file}: readable by others than its owner (chmod 600 it)`);
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new AuditKeyError(`audit key ${file}: not a private key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`audit key ${file}: an ${key.asymmetricKeyType} key, Ed25519 needed`);
  return fromPrivate(key);
}

/** A public key from a PEM file (the `.pub`) or a private key file (its public half). */
export function loadPublicKey(file: string): KeyObject {
  const pem = readFileSync(file, 'utf8');
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`${file}: an ${key.asymmetricKeyType} key, Ed25519 needed`);
  return key;
}

export const signText = (key: SigningKey, text: string): string => sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false; // a malformed signature is a bad one
  }
}
