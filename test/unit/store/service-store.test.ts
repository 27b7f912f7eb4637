// The service and its store choice: a bad store.url stops it at start with one line; a
// PostgreSQL it cannot reach too; with a reachable one it starts, says where its store is (no
// credentials), reports the store up on /health and closes it on SIGTERM.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startService, waitFor } from '../../support/harness';
import { startPostgres } from '../../support/postgres';

const MAIN = resolve(__dirname, '../../../src/main.js');
const start = (env: Record<string, string>) => spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', CTI110_SANDBOX: '1', CTI110_HTTP_PORT: '0', ...env }, encoding: 'utf8', timeout: 20000 });

t.test('a bad store.url or an unreachable PostgreSQL: one line, no stack trace', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['mysql://db/cti110', 78, /^config: store\.url \(from CTI110_DB_URL\): expected a postgres:\/\/ URL/],
    ['postgres://[oops/cti110', 78, /^config: store\.url \(from CTI110_DB_URL\): not a valid URL$/],
    ['postgres://cti110:secret@127.0.0.1:1/cti110', 1, /^cti110: cannot start: store: PostgreSQL at 127\.0\.0\.1:1\/cti110: .*ECONNREFUSED/],
  ];
  for (const [url, code, message] of cases) {
    const res = start({ CTI110_DB_URL: url });
    t.equal(res.status, code, `exit ${code} for ${url}`);
    t.equal(res.stderr.trim().split('\n').length, 1, 'exactly one line');
    t.match(res.stderr.trim(), message);
    t.notMatch(res.stderr, /secret/, 'the password is not shown');
    t.notMatch(res.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

t.test('the service runs on PostgreSQL', async (t) => {
  const pg = await startPostgres(t);
  const url = await pg.freshDatabase();
  const dir = t.testdir({});
  const service = await startService(t, { CTI110_DB_URL: url, CTI110_HTTP_HOST: '127.0.0.1', CTI110_HTTP_PORT: '0', CTI110_ARI_URL: 'http://127.0.0.1:1', CTI110_AMI_PORT: '1', CTI110_RECORDINGS_DIR: `${dir}/rec`, CTI110_AUDIT_KEY_FILE: `${dir}/audit.pem`, CTI110_LOG_LEVEL: 'info' }, dir);
  const health = await service.get<{ database: { up: boolean } }>('/health');
  t.equal(health.body.database.up, true, 'the store is up (Asterisk is not: 503 for that)');
  t.match(readFileSync(service.logFile, 'utf8'), /"db":"postgres 127\.0\.0\.1:\d+\/t1".*"msg":"cti110 listening"/);
  // The audit chain's first anchor goes through the write-behind, in its PostgreSQL transaction.
  await waitFor('the audit chain anchored', () => readFileSync(service.logFile, 'utf8').includes('audit chain anchored for the day'), 10000);
  await service.kill('SIGTERM');
  t.equal(service.process.exitCode, 0, 'a clean stop, the pool closed');
});
