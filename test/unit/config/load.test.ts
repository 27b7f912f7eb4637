import t from 'tap';
import { writeFileSync } from 'node:fs';
import { loadConfig, ConfigError } from '../../../src/config/load';

t.test('defaults load and env overrides apply, 0 included', async (t) => {
  const c = loadConfig({ CTI110_HTTP_PORT: '0', CTI110_ARI_PASSWORD: 's3cret' });
  t.equal(c.http.port, 0);
  t.equal(c.ari.password, 's3cret');
  t.equal(c.ari.app, 'cti110');
});

t.test('a wrong value names the key, where it came from, and what was expected', async (t) => {
  t.throws(() => loadConfig({ CTI110_HTTP_PORT: 'eighty' }), { message: 'config: http.port (from CTI110_HTTP_PORT): expected an integer, got "eighty"' });
  t.throws(() => loadConfig({ CTI110_AMI_PORT: '70000' }), { message: /^config: ami\.port \(from CTI110_AMI_PORT\): expected a TCP port, 1-65535, got 70000$/ });
  t.throws(() => loadConfig({ CTI110_ARI_APP: 'bad app!' }), ConfigError);
  t.throws(() => loadConfig({ CTI110_ARI_PASSWORD: '' }), { message: /ari\.password.*non-empty/ });
});

t.test('a config file: unknown keys, wrong types, bad JSON, missing file', async (t) => {
  const dir = t.testdir({});
  const file = (name: string, text: string) => {
    writeFileSync(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  t.throws(() => loadConfig({}, file('a.json', '{"http":{"prot":1}}')), { message: /^config: http\.prot \(in .*a\.json\): unknown key$/ });
  t.throws(() => loadConfig({}, file('b.json', '{"log":{"level":"loud"}}')), { message: /log\.level .*one of fatal/ });
  t.throws(() => loadConfig({}, file('c.json', '{nope')), { message: /is not valid JSON/ });
  t.throws(() => loadConfig({}, `${dir}/missing.json`), { message: /cannot read .*ENOENT/ });
  t.throws(() => loadConfig({}, file('d.json', '{"ari":{"reconnectMinMs":5000,"reconnectMaxMs":10}}')), { message: /ari\.reconnectMaxMs/ });
  const ok = loadConfig({ CTI110_ARI_URL: 'http://10.0.0.5:8088' }, file('e.json', '{"ari":{"url":"http://192.0.2.1:8088","app":"c110"}}'));
  t.equal(ok.ari.url, 'http://10.0.0.5:8088', 'env wins over the file');
  t.equal(ok.ari.app, 'c110');
});

t.test('CTI110_SECURE_COOKIE sets the session cookie\'s Secure flag (the Docker image runs behind TLS)', async (t) => {
  t.equal(loadConfig({}).auth.secureCookie, false);
  t.equal(loadConfig({ CTI110_SECURE_COOKIE: 'true' }).auth.secureCookie, true);
  t.throws(() => loadConfig({ CTI110_SECURE_COOKIE: 'yes' }), { message: 'config: auth.secureCookie (from CTI110_SECURE_COOKIE): expected true or false, got "yes"' });
});

t.test('cluster: the lease ttl and renewal are checked, renewals at least twice per ttl', async (t) => {
  const dir = t.testdir({
    'slow.json': '{"cluster":{"leaseTtlMs":3000,"renewMs":2000}}',
    'short.json': '{"cluster":{"leaseTtlMs":100,"renewMs":50}}',
    'ok.json': '{"cluster":{"leaseTtlMs":3000,"renewMs":500}}',
  });
  t.same(loadConfig({}).cluster, { leaseTtlMs: 5000, renewMs: 1000 }, 'defaults');
  t.throws(() => loadConfig({}, `${dir}/slow.json`), { message: /cluster\.renewMs .*at most half of cluster\.leaseTtlMs \(3000\), got 2000/ });
  t.throws(() => loadConfig({}, `${dir}/short.json`), { message: /cluster\.leaseTtlMs .*500-60000/ });
  t.same(loadConfig({}, `${dir}/ok.json`).cluster, { leaseTtlMs: 3000, renewMs: 500 });
});

t.test('several Asterisk nodes: ari.nodes, or CTI110_ARI_NODES as NAME=URL items (issue #16.2)', async (t) => {
  t.equal(loadConfig({}).ari.nodes, undefined, 'by default one node: ari.url');
  const nodes = loadConfig({ CTI110_ARI_NODES: 'A=http://127.0.0.1:8088, B=http://127.0.0.1:8188' }).ari.nodes;
  t.same(nodes, [{ name: 'A', url: 'http://127.0.0.1:8088' }, { name: 'B', url: 'http://127.0.0.1:8188' }]);
  t.throws(() => loadConfig({ CTI110_ARI_NODES: 'http://127.0.0.1:8088' }), { message: /ari\.nodes \(from CTI110_ARI_NODES\): expected NAME=URL items/ });
  t.throws(() => loadConfig({ CTI110_ARI_NODES: 'A=ftp://x' }), { message: /ari\.nodes\.0\.url \(in|ari\.nodes\.0\.url.*expected an http/ });
  t.throws(() => loadConfig({ CTI110_ARI_NODES: 'A=http://h1:8088 A=http://h2:8088' }), { message: /ari\.nodes\.1\.name \(from CTI110_ARI_NODES\): "A" is already used/ });
});
