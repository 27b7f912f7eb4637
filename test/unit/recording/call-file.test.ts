// The caller's MixMonitor file (started by the dialplan) as the recording of record: no request
// to start it, stored only once MixMonitor has closed it, against the call's incident.
import t from 'tap';
import pino from 'pino';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, wavClosed } from '../../../src/recording/recorder';
import type { Telephony } from '../../../src/asterisk/telephony';
import type { Incidents } from '../../../src/incidents/incidents';
import type { RecordingsRepo } from '../../../src/store/recordings-repo';

/** A WAV of `ms` of 8 kHz 16-bit mono; `closed` false: sizes still 0, as while MixMonitor writes. */
function wav(ms: number, closed: boolean): Buffer {
  const data = Buffer.alloc((ms * 16000) / 1000, 1);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(closed ? 36 + data.length : 0, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(closed ? data.length : 0, 40);
  return Buffer.concat([h, data]);
}

// As the sandbox names channels: systemname-<epoch>.<sequence>, its dots as dashes in the file name.
const NAME = 'call_1764666000_cti110-node-1764666000-42_13800138000';

function setup(files: Buffer[]) {
  const requests: string[] = [];
  const stamps: { kind: string; detail: Record<string, unknown> }[] = [];
  const rows: { source: string; durationMs: number; path: string }[] = [];
  let downloads = 0;
  const telephony = {
    recordBridge: async () => void requests.push('record bridge'),
    downloadRecording: async () => files[Math.min(downloads++, files.length - 1)],
    deleteRecording: async (name: string) => void requests.push(`delete ${name}`),
  } as unknown as Telephony;
  const incident = { id: 7, number: '20261202-000007', endedAt: 1 };
  const incidents = {
    stamp: async (_id: number, kind: string, detail: Record<string, unknown>) => void stamps.push({ kind, detail }),
    findByChannel: async (channel: string) => (channel === 'cti110-node-1764666000.42' ? incident : undefined),
  } as unknown as Incidents;
  const repo = { findByName: async () => undefined, nextSeq: async () => 1, insert: async (r: { source: string; durationMs: number; path: string }) => void rows.push(r) } as unknown as RecordingsRepo;
  const dir = mkdtempSync(join(tmpdir(), 'cti110-callfile-'));
  const recorder = new Recorder(telephony, incidents, repo, dir, pino({ level: 'silent' }));
  return { recorder, requests, stamps, rows, dir, downloads: () => downloads };
}

t.test('wavClosed tells a finished MixMonitor file from one still being written', async (t) => {
  t.ok(wavClosed(wav(500, true)));
  t.notOk(wavClosed(wav(500, false)));
  t.notOk(wavClosed(Buffer.alloc(10)));
});

t.test('the call file is the recording: no request to Asterisk at the answer', async (t) => {
  const { recorder, requests, stamps } = setup([]);
  t.equal(await recorder.start(7, '20261202-000007', 'bridge-7', '1001', NAME), NAME);
  t.same(requests, [], 'no bridge recording started');
  t.same(stamps, [{ kind: 'recording', detail: { name: NAME, via: 'mixmonitor' } }]);
  t.equal(await recorder.halt(NAME), true, 'nothing to stop: it ends with the caller');
});

t.test('stored once MixMonitor has closed it, against the call\'s incident', async (t) => {
  const closed = wav(1200, true);
  const { recorder, stamps, rows, requests, dir, downloads } = setup([wav(800, false), wav(1100, false), closed]);
  await recorder.finished(NAME);
  t.equal(downloads(), 3, 'fetched again until its header was complete');
  t.equal(rows.length, 1);
  t.match(rows[0], { source: 'call', durationMs: 1200 });
  t.same(readFileSync(join(dir, rows[0].path)), closed, 'the whole file, not a cut');
  t.equal(stamps.at(-1)?.kind, 'recorded');
  t.same(requests, [`delete ${NAME}`], "Asterisk's copy removed once stored");
});

t.test('a call never bridged leaves an empty file: deleted with its caller-side file, nothing registered', async (t) => {
  const { recorder, rows, requests } = setup([wav(0, true)]);
  await recorder.finished(NAME);
  t.equal(rows.length, 0);
  // The caller's side (instant recall's slin) has no recall owner for a call never talked in.
  t.same(requests, [`delete recall_${NAME}`, `delete ${NAME}`]);
});
