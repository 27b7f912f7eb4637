// Every answered call is recorded: the file has sound, lasts the bridged time, its SHA-256 is
// stored, and the integrity check notices a file changed or removed behind our back.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, workDir, seatPhone, registered, post, ROOT, type IncidentView } from '../support/harness';

const soxStat = (file: string) => {
  const text = execFileSync('bash', ['-c', 'sox "$1" -n stat 2>&1', 'sox', file], { encoding: 'utf8' });
  const num = (label: string) => Number(new RegExp(`${label}:\\s+([0-9.e+-]+)`).exec(text)?.[1] ?? NaN);
  return { rms: num('RMS\\s+amplitude'), seconds: num('Length \\(seconds\\)') };
};

t.test('recording every call', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'recording');
  const storage = join(logDir, 'recordings');
  const configFile = join(logDir, 'rec.json');
  writeFileSync(configFile, JSON.stringify({ seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }] }));
  const env = { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile, CTI110_RECORDINGS_DIR: storage, CTI110_ARI_RECORDINGS_DIR: '' };
  // ari.recordingsDir off: this file covers recordings fetched and deleted over ARI (as when
  // Asterisk is on another machine); the other files read them in the sandbox's folder.
  let service = await startService(t, env, logDir);
  await waitFor('healthy', async () => (await service.get('/health')).status === 200, 30000);
  const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 60, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');

  const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13100000001', '-set', 'hold_s', '6', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  t.equal(await caller.done, 0, 'the caller talked with the seat');
  const inc = await waitFor('the recording stored', async () => {
    const list = (await service.get<{ items: IncidentView[] }>('/incidents?limit=1')).body.items;
    const full = list[0] && (await service.get<IncidentView>(`/incidents/${list[0].number}`)).body;
    return full?.timeline.some((e) => e.kind === 'recorded') ? full : undefined;
  }, 30000);
  const recorded = inc.timeline.find((e) => e.kind === 'recorded')!.detail as { path: string; sha256: string; durationMs: number; seq: number };
  t.equal(recorded.seq, 1);
  t.match(recorded.path, new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${inc.number}/1\\.wav$`), 'filed by date and incident');
  const file = join(storage, recorded.path);
  const stat = soxStat(file);
  t.ok(stat.rms > 0.05, `the recording holds sound (RMS ${stat.rms})`);
  const bridgedS = (inc.endedAt! - inc.answeredAt!) / 1000;
  t.ok(Math.abs(stat.seconds - bridgedS) < 1, `it lasts the bridged time (${stat.seconds} s vs ${bridgedS.toFixed(2)} s)`);
  t.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), recorded.sha256, 'the stored SHA-256 matches the file');
  const freed = (await service.get<{ seatId: string; at: number; kind: string; detail: { event?: string } }[]>('/seats/events?limit=100')).body.find((e) => e.seatId === '1001' && e.kind === 'state' && e.detail.event === 'call_ended');
  const storedAt = inc.timeline.find((e) => e.kind === 'recorded')!.at;
  t.ok(freed && freed.at <= storedAt, `the seat was free (${freed?.at}) before the recording was fetched and stored (${storedAt}): the next caller does not wait for our disk`);

  // Found by incident, played with a Range request (as an <audio> element seeks), and audited.
  const found = (await service.get<{ items: { id: number; incidentNumber: string }[] }>(`/recordings?incident=${inc.number}`)).body.items;
  t.equal(found.length, 1, 'found by incident number');
  const res = await fetch(`${service.url}/recordings/${found[0].id}/audio`, { headers: { Range: 'bytes=100-199', 'X-User': 'supervisor-li' } });
  t.equal(res.status, 206);
  t.same(Buffer.from(await res.arrayBuffer()), readFileSync(file).subarray(100, 200), 'the right 100 bytes');
  const access = (await service.get<{ items: { who: string; action: string; range: string | null }[] }>(`/recordings/access?recording=${found[0].id}`)).body.items;
  t.match(access[0], { who: 'supervisor-li', action: 'listen', range: 'bytes=100-199' }, 'the listen is in the access log');

  const check = () => spawnSync(process.execPath, [join(ROOT, 'dist/src/recording/check-cli.js')], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ok = check();
  t.equal(ok.status, 0, 'integrity check: all intact');
  t.match(ok.stdout, /checked 1 recordings: all intact/);
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes);
  const changed = check();
  t.equal(changed.status, 1, 'a file changed on disk fails the check');
  t.match(changed.stdout, new RegExp(`CHANGED recording \\d+ \\(incident ${inc.number}\\)`));
  rmSync(file);
  t.match(check().stdout, /MISSING recording/, 'and a missing one too');

  // A restart mid-call runs the recording sweep while the call's recording is still being
  // written: it must be left alone (stored whole when the call ends), not stored cut short.
  const long = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13100000002', '-set', 'hold_s', '10', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  await waitFor('the second call answered', async () => (await service.get<{ items: IncidentView[] }>('/incidents?limit=1')).body.items[0]?.callerNumber === '13100000002' && (await service.get<{ items: IncidentView[] }>('/incidents?limit=1')).body.items[0]?.answeredAt);
  await new Promise((r) => setTimeout(r, 3000));
  await service.kill('SIGKILL');
  service = await startService(t, env, logDir);
  await waitFor('healthy again', async () => (await service.get('/health')).status === 200, 30000);
  t.equal(await long.done, 0, 'the call went on through the restart');
  const inc2 = await waitFor('its recording stored', async () => {
    const [first] = (await service.get<{ items: IncidentView[] }>('/incidents?limit=1')).body.items;
    const full = first && (await service.get<IncidentView>(`/incidents/${first.number}`)).body;
    return full?.endedAt && full.timeline.some((e) => e.kind === 'recorded') ? full : undefined;
  }, 90000);
  const pieces = inc2.timeline.filter((e) => e.kind === 'recorded');
  t.equal(pieces.length, 1, 'one recording');
  const wholeS = (inc2.endedAt! - inc2.answeredAt!) / 1000;
  const gotS = (pieces[0].detail.durationMs as number) / 1000;
  t.ok(Math.abs(gotS - wholeS) < 1.5, `the whole call, not what was written by the restart (${gotS} s vs ${wholeS.toFixed(2)} s)`);
  await phone.kill();
});
