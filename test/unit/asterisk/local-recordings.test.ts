// Asterisk's recordings read and removed in its folder when the service sees it (ari.recordingsDir).
import t from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRecordings } from '../../../src/asterisk/local-recordings';

t.test('reads and removes the formats cti110 records in; anything else is left to ARI', async (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'call_1_a.wav'), 'RIFFwav');
  writeFileSync(join(dir, 'recall_call_1_a.sln'), 'slin');
  writeFileSync(join(dir, 'other.gsm'), 'gsm');
  writeFileSync(join(dir, 'secret.wav'), 'not reachable by a crafted name');
  const files = new LocalRecordings(dir);
  t.equal((await files.read('call_1_a'))?.toString(), 'RIFFwav');
  t.equal((await files.read('recall_call_1_a'))?.toString(), 'slin');
  t.equal(await files.read('other'), undefined, 'a format we do not record in: ARI');
  t.equal(await files.read('missing'), undefined, 'not in the folder: ARI');
  for (const crafted of ['../secret', `${dir}/secret`, '.hidden', 'a/b', '']) t.equal(await files.read(crafted), undefined, `no path in a name (${JSON.stringify(crafted)})`);
  t.equal(await files.remove('call_1_a'), true);
  t.equal(await files.remove('recall_call_1_a'), true);
  t.notOk(existsSync(join(dir, 'call_1_a.wav')) || existsSync(join(dir, 'recall_call_1_a.sln')), 'both files gone');
  t.equal(await files.remove('call_1_a'), false, 'already gone: ARI is asked (it says gone too)');
  t.equal(await files.remove('../secret'), false);
  t.ok(existsSync(join(dir, 'secret.wav')));
  t.equal(await new LocalRecordings(join(dir, 'not-mounted')).read('call_1_a'), undefined, 'a folder not there: ARI');
});
