// The audit chain through a real call: the call's steps and the users' acts (classify, dispatch,
// listen) are in one hash-linked log; `check-audit` names an entry edited in the SQLite file and a
// recording changed on disk; the incident's signed export verifies, and fails once edited.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { startAsterisk, startService, serviceEnv, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post, ROOT, type Service } from '../support/harness';

const put = async (service: Service, path: string, body: unknown) => (await fetch(service.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

/** One statement on the service's SQLite file, as someone with the file (not the service) would. */
async function sql(path: string, statement: string, params: unknown[] = []): Promise<unknown[]> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  try {
    return await new Promise<unknown[]>((resolve, reject) => db.all(statement, params, (err, rows) => (err ? reject(err) : resolve(rows))));
  } finally {
    await new Promise((r) => db.close(r));
  }
}

interface Entry {
  id: number;
  actor: string;
  action: string;
  incident: string | null;
  detail: string;
  hash: string;
}

t.test('audit chain', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'audit');
  const dbPath = join(logDir, 'cti110.sqlite');
  const storage = join(logDir, 'recordings');
  const configFile = join(logDir, 'audit.json');
  writeFileSync(configFile, JSON.stringify({
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 5000, officersToTry: 2, trunk: 'trunk110' },
  }));
  const env = { ...serviceEnv(sandbox, dbPath), CTI110_CONFIG: configFile, CTI110_RECORDINGS_DIR: storage };
  const service = await startService(t, env, logDir);
  await waitFor('healthy', async () => (await service.get('/health')).status === 200, 30000);
  const cli = (tool: string, args: string[] = []) => spawnSync(process.execPath, [join(ROOT, `dist/src/audit/${tool}.js`), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const check = (args: string[] = []) => cli('check-cli', args);

  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 90, answerMs: 200 });
  const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 90, answerMs: 200, password: 'officer-2001-dev' });
  await registered(sandbox, '1001');
  await registered(sandbox, '2001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');
  t.equal(await put(service, '/officers/2001/position', { lon: 116.3855, lat: 39.905 }), 200);

  // A real call: answered, classified, dispatched to the nearest officer, recorded.
  const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13700000001', '-set', 'hold_s', '10', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  const inc = await waitFor('the call answered', async () => {
    const [i] = await incidentsOf(service, '13700000001');
    return i?.answeredAt ? i : undefined;
  });
  t.equal((await post(service, `/incidents/${inc.number}/classify`, { police: true, category: 'crime', summary: 'a bicycle stolen at the station' })).status, 200);
  t.equal((await post(service, `/incidents/${inc.number}/dispatch`, { pole: 'BJ-DC-0001' })).status, 202);
  await waitFor('the officer joined', async () => (await incidentsOf(service, '13700000001'))[0]?.timeline.some((e) => e.kind === 'officer_joined'), 20000);
  t.equal(await caller.done, 0, 'the caller talked with call-taker and officer');
  const done = await waitFor('the recording stored', async () => {
    const [i] = await incidentsOf(service, '13700000001');
    return i?.timeline.some((e) => e.kind === 'recorded') ? i : undefined;
  }, 30000);
  const recorded = done.timeline.find((e) => e.kind === 'recorded')!.detail as { path: string; sha256: string };
  const [rec] = (await service.get<{ items: { id: number }[] }>(`/recordings?incident=${inc.number}`)).body.items;
  const listen = await fetch(`${service.url}/recordings/${rec!.id}/audio`, { headers: { 'X-User': 'supervisor-wang' } });
  t.equal(listen.status, 200);
  await listen.arrayBuffer();

  // The export waits for the chain to take what came before it: every step is there.
  const res = await fetch(`${service.url}/incidents/${inc.number}/export`, { headers: { 'X-User': 'supervisor-wang' } });
  t.equal(res.status, 200);
  const exported = (await res.json()) as { record: { audit: Entry[]; recordings: { sha256: string }[]; texts: { text: string }[] } };
  const actions = exported.record.audit.map((e) => `${e.actor} ${e.action}`);
  for (const step of ['system call.answered', 'anonymous POST /incidents/:number/classify', 'system call.classified', 'anonymous POST /incidents/:number/dispatch', 'system call.dispatch', 'system call.officer_joined', 'system call.recorded', 'supervisor-wang recording.listen']) {
    t.ok(actions.includes(step), `in the chain: ${step}`);
  }
  t.equal(exported.record.recordings[0]!.sha256, recorded.sha256, "the recording's hash is in the export");
  t.match(exported.record.texts, [{ text: 'a bicycle stolen at the station' }]);
  t.notOk((await fetch(`${service.url}/incidents/20000101-000001/export`)).ok, 'no such incident: 404');

  const intact = check();
  t.equal(intact.status, 0, `check-audit: all intact\n${intact.stdout}${intact.stderr}`);
  t.match(intact.stdout, /audit chain: \d+ entries, 1 anchors: intact/);
  t.match(intact.stdout, /checked 1 recordings: all intact/);

  // A user changed by the operator's tool, while the service runs: in the same chain, still intact.
  const added = spawnSync(process.execPath, [join(ROOT, 'dist/src/auth/add-user-cli.js'), '--name', 'zhao', '--role', 'supervisor'], { cwd: ROOT, env: { ...process.env, ...env, CTI110_NEW_PASSWORD: 'zhao-password-1' }, encoding: 'utf8' });
  t.equal(added.status, 0, added.stderr);
  const [userEntry] = (await sql(dbPath, "SELECT actor, detail FROM audit_log WHERE action = 'user.added'")) as Entry[];
  t.match(userEntry, { actor: /^cli:add-user:/, detail: /"name":"zhao","officer":null,"role":"supervisor"/ }, 'add-user is on record');
  t.notMatch(userEntry!.detail, /zhao-password-1/);

  // The signed export (the route's, and the CLI's) verifies with the public key; edited, it does not.
  const file = join(logDir, 'export.json');
  writeFileSync(file, JSON.stringify(exported, null, 2));
  t.equal(check(['--export', file]).status, 0, 'the export verifies');
  const byCli = cli('export-cli', [inc.number, '--out', join(logDir, 'export-cli.json')]);
  t.equal(byCli.status, 0, byCli.stderr);
  t.equal(check(['--export', join(logDir, 'export-cli.json'), '--public-key', join(logDir, 'audit-ed25519.pem.pub')]).status, 0, "the CLI's export verifies with the .pub");
  writeFileSync(file, readFileSync(file, 'utf8').replace(recorded.sha256, 'f'.repeat(64)));
  const badExport = check(['--export', file]);
  t.equal(badExport.status, 1, 'an edited export fails');
  t.match(badExport.stdout, /BROKEN export .*signature does not match the record/);

  // Someone with the database file edits one entry: the check names it.
  const [listened] = (await sql(dbPath, "SELECT id, actor FROM audit_log WHERE action = 'recording.listen'")) as Entry[];
  await sql(dbPath, "UPDATE audit_log SET actor = 'nobody' WHERE id = ?", [listened!.id]);
  const edited = check();
  t.equal(edited.status, 1, 'an edited entry fails the check');
  t.match(edited.stdout, new RegExp(`BROKEN audit entry ${listened!.id}: its content does not match its hash`));
  await sql(dbPath, 'UPDATE audit_log SET actor = ? WHERE id = ?', [listened!.actor, listened!.id]);
  t.equal(check().status, 0, 'put back: intact again');

  // A recording changed on disk fails it too.
  const audio = join(storage, recorded.path);
  const bytes = readFileSync(audio);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(audio, bytes);
  const changed = check();
  t.equal(changed.status, 1, 'a changed recording fails the check');
  t.match(changed.stdout, new RegExp(`CHANGED recording ${rec!.id} \\(incident ${inc.number}\\)`));
  await seat.kill();
  await officer.kill();
});
