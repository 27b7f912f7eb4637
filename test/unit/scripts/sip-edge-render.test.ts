// The SIP edge's config as scripts/sip-edge.sh renders it from its settings (no Kamailio started):
// the node list becomes the dispatcher's set in the order given, every placeholder is filled, the
// result is a config Kamailio accepts (`kamailio -c`), and a bad setting is refused by name,
// with nothing written.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const KAMAILIO = '/usr/sbin/kamailio';

function render(t: Test, env: Record<string, string>) {
  const dir = join(t.testdir({}), 'edge');
  // Only the settings given here: none of the caller's EDGE_* / AST_* may leak in.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(EDGE_|AST_|TRUNK110_)/.test(k)));
  const r = spawnSync('bash', [join(ROOT, 'scripts/sip-edge.sh'), 'render'], { env: { ...clean, EDGE_INSTANCE: 'unit', EDGE_RUN_DIR: dir, ...env }, encoding: 'utf8' });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { status: r.status, stderr: r.stderr, dir, read };
}

t.test('a node list becomes the dispatcher set, in order; the config is complete and valid', async (t) => {
  const r = render(t, { EDGE_NODES: '127.0.0.1:5060, 10.0.0.7:05070 127.0.0.1:15060', EDGE_PORT: '5999', EDGE_PROBE_S: '7' });
  t.equal(r.status, 0, r.stderr);
  const list = r.read('dispatcher.list').split('\n').filter((l) => l && !l.startsWith('#'));
  t.same(list, ['1 sip:127.0.0.1:5060 0 0', '1 sip:10.0.0.7:5070 0 0', '1 sip:127.0.0.1:15060 0 0'], 'set 1, one line per node, leading zero dropped');
  const cfg = r.read('kamailio.cfg');
  t.notMatch(cfg, /@@[A-Z_]+@@/, 'no placeholder left');
  t.match(cfg, 'listen=udp:127.0.0.1:5999', 'the entrance');
  t.match(cfg, 'listen=udp:127.0.0.2:5999', 'the relay socket: the 110 trunk address, same port by default');
  t.match(cfg, 'modparam("dispatcher", "ds_ping_interval", 7)', 'the probe interval');
  t.match(cfg, `modparam("dispatcher", "list_file", "${r.dir}/dispatcher.list")`);
  const missing = !existsSync(KAMAILIO) && `${KAMAILIO} missing (scripts/install-tools.sh installs it)`;
  await t.test('kamailio -c accepts it', { skip: missing }, async (t) => {
    const check = spawnSync(KAMAILIO, ['-c', '-f', join(r.dir, 'kamailio.cfg')], { encoding: 'utf8' });
    t.equal(check.status, 0, check.stderr.slice(-1500));
  });
});

t.test('defaults: one node, the sandbox Asterisk (AST_SIP_PORT), relayed from TRUNK110_ADDR', async (t) => {
  const r = render(t, { AST_SIP_PORT: '25060', TRUNK110_ADDR: '127.0.0.9' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.read('dispatcher.list'), /^1 sip:127\.0\.0\.1:25060 0 0$/m);
  t.match(r.read('kamailio.cfg'), 'listen=udp:127.0.0.9:5062');
  t.match(r.read('kamailio.cfg'), 'modparam("dispatcher", "ds_ping_interval", 2)');
  t.match(r.read('kamailio.cfg'), 'listen=udp:127.0.0.1:5064', "the phones' registrar");
});

t.test("the phones' registrar: its socket, pjsip.conf's credentials, registrations kept across a render", async (t) => {
  const r = render(t, { EDGE_PHONE_PORT: '15064' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.read('kamailio.cfg'), 'listen=udp:127.0.0.1:15064');
  t.match(r.read('kamailio.cfg'), `modparam("usrloc", "db_url", "text://${r.dir}/db")`);
  const rows = r.read('db/subscriber').split('\n').filter(Boolean);
  t.match(rows[0], /^id\(int,auto\) username\(string\) domain\(string,null\) password\(string\)/, 'a db_text table');
  t.ok(rows.includes('1:1001::seat-1001-dev'), 'seat 1001 with its pjsip.conf password');
  t.ok(rows.some((row) => /^\d+:2001::officer-2001-dev$/.test(row)), 'officer 2001');
  t.ok(rows.some((row) => /^\d+:3001::supervisor-3001-dev$/.test(row)), 'supervisor 3001');
  // A second render (every start renders) keeps the registrations written down by a running edge.
  const location = join(r.dir, 'db/location');
  writeFileSync(location, `${readFileSync(location, 'utf8')}1:uloc-1:1001::sip\\:1001@127.0.0.1\\:5071::::300:-1:call:2:0:0:0:sipp::0::0:0:0:0:0\n`);
  const again = spawnSync('bash', [join(ROOT, 'scripts/sip-edge.sh'), 'render'], { env: { ...process.env, EDGE_INSTANCE: 'unit', EDGE_RUN_DIR: r.dir, EDGE_PHONE_PORT: '15064' }, encoding: 'utf8' });
  t.equal(again.status, 0, again.stderr);
  t.match(readFileSync(location, 'utf8'), /uloc-1:1001/, 'db/location kept');
});

t.test('bad settings: refused by name (exit 2), nothing written', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ EDGE_NODES: '127.0.0.1' }, /EDGE_NODES: '127\.0\.0\.1' is not ADDR:PORT/],
    [{ EDGE_NODES: '127.0.0.1:70000' }, /EDGE_NODES: '70000' in '127\.0\.0\.1:70000' is not a port/],
    [{ EDGE_NODES: 'asterisk.example:5060' }, /'asterisk\.example' .* is not an IPv4 address/],
    [{ EDGE_NODES: '127.0.0.256:5060' }, /is not an IPv4 address/],
    [{ EDGE_NODES: ' , ' }, /EDGE_NODES is empty/],
    [{ EDGE_NODES: '127.0.0.1:5060 127.0.0.1:05060' }, /127\.0\.0\.1:5060 is listed twice/],
    [{ EDGE_PROBE_S: '0' }, /EDGE_PROBE_S .* must be 1-3600/],
    [{ EDGE_NODE_TIMEOUT_MS: '2s' }, /EDGE_NODE_TIMEOUT_MS must be 100-60000/],
    [{ EDGE_PORT: '5062', EDGE_RELAY_ADDR: '127.0.0.1' }, /entrance .* and the relay socket .* must differ/],
    [{ EDGE_PHONE_PORT: '5062' }, /the phones' socket .* must differ/],
    [{ EDGE_PHONE_ADDR: 'phones.local' }, /EDGE_PHONE_ADDR must be an IPv4 address/],
    [{ EDGE_ADDR: 'localhost' }, /EDGE_ADDR must be an IPv4 address/],
    [{ EDGE_RUN_DIR: '/tmp/edge with space' }, /EDGE_RUN_DIR must be an absolute path/],
    [{ EDGE_INSTANCE: '../x' }, /invalid EDGE_INSTANCE/],
  ];
  for (const [env, message] of cases) {
    const r = render(t, env);
    t.equal(r.status, 2, `${JSON.stringify(env)}: exit 2`);
    t.match(r.stderr, message, `${JSON.stringify(env)}: says what is wrong`);
    t.notOk(existsSync(join(r.dir, 'kamailio.cfg')), `${JSON.stringify(env)}: no config written`);
  }
});
