// The pages build request paths from values (?seat= from the address bar, ids from the server):
// each value must stay one encoded path segment, so `?seat=1001/../../x` reaches no other route.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const WEB = resolve(__dirname, '../../../../web');

t.test('path`...` encodes every value as one segment and refuses dot segments', async (t) => {
  // Evaluated from its source: web/ is plain browser modules, without a package.json saying so to Node.
  const source = readFileSync(join(WEB, 'path.js'), 'utf8').replace(/^export /m, '');
  const path = new Function(`${source}; return path;`)() as (s: TemplateStringsArray, ...v: unknown[]) => string;
  const seat = '1001/../../admin/dialplan/reload?x=1#';
  t.equal(path`/seats/${seat}/ready`, '/seats/1001%2F..%2F..%2Fadmin%2Fdialplan%2Freload%3Fx%3D1%23/ready');
  t.equal(new URL(path`/seats/${seat}/ready`, 'http://h').pathname.split('/').length, 4, 'still /seats/<one segment>/ready');
  t.equal(path`/incidents/${'20260101-000001'}`, '/incidents/20260101-000001');
  for (const bad of ['..', '.', '']) t.throws(() => path`/seats/${bad}/ready`, /not a valid path segment/, JSON.stringify(bad));
});

t.test('no page interpolates a value into a request path without path`...`', async (t) => {
  for (const file of readdirSync(WEB).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(join(WEB, file), 'utf8');
    // api('GET', `/x/${...}`) or .src = `/x/${...}`: a raw template whose path part holds a value.
    const raw = [...source.matchAll(/(?:api\('[A-Z]+', |\.src = )`(\/[^`?]*\$\{[^`]*)`/g)].map((m) => m[1]);
    t.same(raw, [], `${file}: request paths built without path\`\``);
  }
});
