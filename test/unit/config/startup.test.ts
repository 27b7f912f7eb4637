// A wrong configuration stops the service at start with one clear line and a non-zero exit.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MAIN = resolve(__dirname, '../../../src/main.js');

function start(env: Record<string, string>) {
  const res = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20000 });
  return { code: res.status, stderr: res.stderr, stdout: res.stdout };
}

t.test('bad values: one line naming the key, exit 78, no stack trace', async (t) => {
  const dir = t.testdir({});
  const cases: [Record<string, string>, RegExp][] = [
    [{ CTI110_HTTP_PORT: 'http' }, /^config: http\.port \(from CTI110_HTTP_PORT\): expected an integer, got "http"$/],
    [{ CTI110_ARI_URL: 'asterisk.local:8088' }, /^config: ari\.url \(from CTI110_ARI_URL\): expected an http\(s\):\/\/ URL/],
    [{ CTI110_CONFIG: join(dir, 'missing.json') }, /^config: cannot read .*missing\.json: ENOENT$/],
    [{ CTI110_CONFIG: (writeFileSync(join(dir, 'bad.json'), '{"ami":{"port":"5038"}}'), join(dir, 'bad.json')) }, /^config: ami\.port \(in .*bad\.json\): expected a TCP port, 1-65535, got "5038"$/],
  ];
  for (const [env, message] of cases) {
    const res = start(env);
    t.equal(res.code, 78, `exit 78 for ${JSON.stringify(env)}`);
    const lines = res.stderr.trim().split('\n');
    t.equal(lines.length, 1, 'exactly one line');
    t.match(lines[0], message);
    t.notMatch(res.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

t.test('a database that cannot be opened: one line, exit 1', async (t) => {
  const dir = t.testdir({ file: 'x' });
  const res = start({ CTI110_DB_PATH: join(dir, 'file', 'db.sqlite'), CTI110_HTTP_PORT: '0', CTI110_SANDBOX: '1' });
  t.equal(res.code, 1);
  t.match(res.stderr.trim(), /^cti110: cannot start: /);
  t.equal(res.stderr.trim().split('\n').length, 1);
});

// Issue 14, M4: the repository's ARI/AMI secrets are public; only the sandbox may use them.
t.test('a known default ARI/AMI secret outside the sandbox: refused at start, one line, exit 78', async (t) => {
  const dir = t.testdir({ file: 'x' });
  // The database path cannot be opened: a service that got past the secrets check says so instead.
  const base = { CTI110_DB_PATH: join(dir, 'file', 'db.sqlite'), CTI110_HTTP_PORT: '0' };
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /^config: ari\.password and ami\.secret: a known default secret; set CTI110_ARI_PASSWORD and CTI110_AMI_SECRET to your Asterisk's \(or CTI110_SANDBOX=1 for the local sandbox Asterisk only\)$/],
    [{ CTI110_ARI_PASSWORD: 'a-real-one-1' }, /^config: ami\.secret: a known default secret; set CTI110_AMI_SECRET /],
    [{ CTI110_ARI_PASSWORD: 'a-real-one-1', CTI110_AMI_SECRET: 'mysecret' }, /^config: ami\.secret: a known default secret/],
    [{ CTI110_AMI_SECRET: 'a-real-one-2', CTI110_SANDBOX: 'yes' }, /^config: ari\.password: a known default secret/],
  ];
  for (const [env, message] of cases) {
    const res = start({ ...base, ...env });
    t.equal(res.code, 78, `exit 78 for ${JSON.stringify(env)}`);
    t.equal(res.stderr.trim().split('\n').length, 1, 'exactly one line');
    t.match(res.stderr.trim(), message);
    t.notMatch(res.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
  for (const env of [{ CTI110_SANDBOX: '1' }, { CTI110_ARI_PASSWORD: 'a-real-one-1', CTI110_AMI_SECRET: 'a-real-one-2' }] as Record<string, string>[]) {
    const res = start({ ...base, ...env });
    t.match(res.stderr.trim(), /^cti110: cannot start: /, `${JSON.stringify(env)}: past the secrets check`);
  }
});
