// With the service down, a 110 call still reaches a call-taker through the dialplan's native
// fallback (Queue of the seats), and the call is recorded by MixMonitor with sound in it.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, workDir, type IncidentView } from '../support/harness';

/** sox's `stat` figures for a WAV (sox prints them on stderr). */
function parseStat(text: string): { rms: number; seconds: number } {
  const num = (label: string) => Number(new RegExp(`${label}:\\s+([0-9.e+-]+)`).exec(text)?.[1] ?? NaN);
  return { rms: num('RMS\\s+amplitude'), seconds: num('Length \\(seconds\\)') };
}

t.test('service down: the call falls back to the seats and is recorded', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'fallback');
  const recordings = join(sandbox.chroot, sandbox.instanceDir, 'spool/recording');

  const seat = await sipp(t, 'seat.xml', ['-oocsf', join(__dirname, '../../../test/sipp/seat-answer.xml'), '-aa', '-s', '1001', '-au', '1001', '-ap', 'seat-1001-dev', '-set', 'answer_ms', '500', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, logDir });
  await waitFor('seat 1001 registered', async () => /1001\/sip:1001@127\.0\.0\.1:\d+.*Avail/.test(await sandbox.cli('pjsip show contacts')), 20000);

  const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13800138000', '-set', 'hold_s', '6', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  t.equal(await caller.done, 0, 'the caller was answered and talked');
  t.equal(await seat.done, 0, 'by the call-taker seat 1001');

  const file = await waitFor('the fallback recording', () => {
    const files = readdirSync(recordings).filter((f) => /^call_\d+_[A-Za-z0-9-]+_13800138000\.wav$/.test(f));
    return files.length === 1 && statSync(join(recordings, files[0])).size > 0 ? join(recordings, files[0]) : undefined;
  });
  // MixMonitor writes the WAV header's length when the call's channels are gone: wait for that.
  await waitFor('the call to be over in Asterisk', async () => /^0 active calls/m.test(await sandbox.cli('core show channels count')));
  const stat = await waitFor('a complete WAV', () => {
    const s = parseStat(execFileSync('bash', ['-c', 'sox "$1" -n stat 2>&1', 'sox', file], { encoding: 'utf8' }));
    return s.seconds > 0 ? s : undefined;
  });
  t.ok(stat.seconds > 3, `the recording lasts the call (${stat.seconds} s)`);
  t.ok(stat.rms > 0.05, `and holds sound (RMS ${stat.rms})`);

  // The service comes back: the call gets its incident, and the recording is attached to it.
  const storage = join(logDir, 'stored');
  const service = await startService(t, { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_RECORDINGS_DIR: storage }, logDir);
  const incident = await waitFor('the fallback call attached to an incident', async () => {
    const items = (await service.get<{ items: IncidentView[] }>('/incidents?limit=5')).body.items;
    const hit = items.find((i) => i.callerNumber === '13800138000');
    const full = hit && (await service.get<IncidentView & { trunk: string }>(`/incidents/${hit.number}`)).body;
    return full?.timeline.some((e) => e.kind === 'recorded') ? full : undefined;
  }, 30000);
  t.equal(incident.trunk, 'fallback', 'an incident for the call the fallback answered');
  t.ok(incident.timeline.some((e) => e.kind === 'fallback_call'), 'its timeline says so');
  const recorded = incident.timeline.find((e) => e.kind === 'recorded')!.detail as { path: string; sha256: string };
  t.equal(createHash('sha256').update(readFileSync(join(storage, recorded.path))).digest('hex'), recorded.sha256, 'the recording is stored with its SHA-256');
  t.equal(readdirSync(recordings).filter((f) => f.startsWith('call_')).length, 0, "Asterisk's copy is removed once stored");
});
