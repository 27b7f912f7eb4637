import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingPath, resolveInside, storeAtomically, wavDurationMs, hashFile } from '../../../src/recording/storage';
import { recordingName } from '../../../src/recording/recorder';

t.test('files go to YYYY/MM/DD/<incident>/<seq>.wav and never outside the root', async (t) => {
  t.equal(recordingPath('20261123-000007', 2, new Date(2026, 10, 23, 23, 59).getTime()), '2026/11/23/20261123-000007/2.wav');
  t.throws(() => resolveInside('/srv/rec', '../etc/passwd'), /escapes/);
  t.throws(() => resolveInside('/srv/rec', '/etc/passwd'), /escapes/);
  t.equal(resolveInside('/srv/rec', 'a/b.wav'), '/srv/rec/a/b.wav');
});

t.test('stored atomically with size and SHA-256; no .part left behind', async (t) => {
  const root = t.testdir({});
  const data = Buffer.from('RIFF....WAVEdata');
  const stored = await storeAtomically(root, '2026/11/23/x/1.wav', data);
  t.equal(stored.sha256, createHash('sha256').update(data).digest('hex'));
  t.equal(stored.size, data.length);
  t.same(readdirSync(join(root, '2026/11/23/x')), ['1.wav']);
  t.same(await hashFile(root, stored.path), { size: data.length, sha256: stored.sha256 });
  writeFileSync(join(root, stored.path), 'tampered');
  t.not((await hashFile(root, stored.path))?.sha256, stored.sha256, 'a change is seen');
  t.equal(await hashFile(root, 'nope.wav'), undefined, 'a missing file is seen');
});

t.test('WAV duration from the header', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'a.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', '2.5', 'sine', '440']);
  t.equal(wavDurationMs(readFileSync(file)), 2500);
  t.equal(wavDurationMs(Buffer.from('not a wav')), 0);
});

t.test('recording names carry incident, start and seat', async (t) => {
  t.match(recordingName('20261123-000001', 1795460000000, '1001'), /^cti110_20261123-000001_1795460000000_1001$/);
  t.match(recordingName('20261123-000001', 1795460000000, null), /_$/);
});
