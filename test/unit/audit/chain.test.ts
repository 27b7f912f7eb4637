// The chain's logic without a store: links, anchors and the walk that names the first broken entry.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { canonicalJson } from '../../../src/audit/canonical';
import { ChainWalk, GENESIS, entryHash, link, type Anchor, type AuditEntry } from '../../../src/audit/chain';
import { checkAnchors, makeAnchor } from '../../../src/audit/anchors';
import { keyIdOf, type SigningKey } from '../../../src/audit/keys';

const keyOf = (): SigningKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const KEY = keyOf();
const keys = new Map([[KEY.keyId, KEY.publicKey]]);

const chain = (n: number): AuditEntry[] =>
  link(
    { id: 0, hash: GENESIS },
    Array.from({ length: n }, (_, i) => ({ at: 1000 + i, actor: i % 2 ? 'li.wei' : 'system', action: `act.${i + 1}`, incident: i % 3 ? null : '20261207-000001', detail: { n: i + 1, z: 'last', a: 'first' } })),
  );

function walk(entries: AuditEntry[], anchors: Anchor[] = []) {
  const { good, bad } = checkAnchors(anchors, keys);
  const w = new ChainWalk(good);
  for (const e of entries) if (!w.next(e)) break;
  return { broken: w.end(), bad };
}

t.test('canonical JSON: the same bytes whatever the key order', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  t.equal(canonicalJson({ a: undefined, b: 'é' }), '{"b":"é"}');
});

t.test('an untouched chain, with anchors, is intact', async (t) => {
  const entries = chain(10);
  t.equal(entries[0]!.prevHash, GENESIS);
  t.equal(entries[5]!.prevHash, entries[4]!.hash, 'each entry carries the hash of the one before');
  t.equal(entries[2]!.detail, '{"a":"first","n":3,"z":"last"}', 'detail stored as canonical JSON');
  const anchors = [makeAnchor(KEY, '20261206', { id: 0, hash: GENESIS }, 1), makeAnchor(KEY, '20261207', entries[6]!, 2)];
  t.same(walk(entries, anchors), { broken: undefined, bad: [] });
});

t.test('text is hashed as the stores give it back (NUL, a cut surrogate pair)', async (t) => {
  const [e] = link({ id: 0, hash: GENESIS }, [{ at: 1, actor: 'a\0b\ud800', action: 'x', incident: null }]);
  t.equal(e!.actor, 'a\u2400b\ufffd');
  t.equal(e!.detail, '{}');
});

t.test('an edited entry is named', async (t) => {
  const entries = chain(10);
  entries[3] = { ...entries[3]!, actor: 'someone-else' };
  t.same(walk(entries).broken, { id: 4, reason: 'its content does not match its hash (edited)' });
});

t.test('an edited entry whose hash was recomputed: the next one names the break', async (t) => {
  const entries = chain(10);
  const e = { ...entries[3]!, action: 'nothing.happened' };
  entries[3] = { ...e, hash: entryHash(e) };
  t.match(walk(entries).broken, { id: 5, reason: /previous hash is not entry 4's hash/ });
});

t.test('the whole tail rewritten after an edit: the signed anchor disagrees', async (t) => {
  const original = chain(10);
  const anchors = [makeAnchor(KEY, '20261207', original[7]!, 5)];
  const rewritten = link({ id: 2, hash: original[1]!.hash }, original.slice(2).map((e, i) => ({ ...e, detail: i === 0 ? { n: 'forged' } : JSON.parse(e.detail) })));
  const entries = [...original.slice(0, 2), ...rewritten];
  t.match(walk(entries, anchors).broken, { id: 8, reason: /differs from the anchor signed on 20261207/ });
});

t.test('a deleted entry: the one after the gap is named', async (t) => {
  const entries = chain(10);
  entries.splice(4, 1);
  t.match(walk(entries).broken, { id: 6, reason: /entries 5\.\.5 are missing/ });
});

t.test('the last entries deleted: the anchor that covered them names the first missing', async (t) => {
  const entries = chain(10);
  const anchors = [makeAnchor(KEY, '20261207', entries[8]!, 5)];
  t.match(walk(entries.slice(0, 7), anchors).broken, { id: 8, reason: /chain ends at entry 7 but the anchor signed on 20261207 covers entries up to 9/ });
});

t.test('two entries swapped (ids kept in order): the first of them is named', async (t) => {
  const entries = chain(10);
  const [a, b] = [entries[2]!, entries[3]!];
  entries[2] = { ...b, id: a.id };
  entries[3] = { ...a, id: b.id };
  t.match(walk(entries).broken, { id: 3 });
});

t.test('a bad anchor signature is reported, and the anchor not trusted', async (t) => {
  const entries = chain(10);
  const good = makeAnchor(KEY, '20261206', entries[2]!, 1);
  const forged = { ...makeAnchor(KEY, '20261207', entries[5]!, 2), lastId: 4, lastHash: entries[3]!.hash };
  const other = makeAnchor(keyOf(), '20261208', entries[8]!, 3);
  const r = walk(entries, [good, forged, other]);
  t.equal(r.broken, undefined, 'the entries themselves are intact');
  t.same(r.bad, [
    { day: '20261207', reason: 'bad signature (anchor altered, or not signed by this key)' },
    { day: '20261208', reason: `signed by key ${other.keyId}, which is not one of the keys given` },
  ]);
});

t.test('an empty chain with its genesis anchor is intact; a forged empty anchor is not', async (t) => {
  t.same(walk([], [makeAnchor(KEY, '20261207', { id: 0, hash: GENESIS }, 1)]).broken, undefined);
  t.match(walk([], [makeAnchor(KEY, '20261207', { id: 0, hash: 'f'.repeat(64) }, 1)]).broken, { id: 1 });
});
