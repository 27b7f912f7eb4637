// Every route, hostile input, 0 × 5xx. The routes come from the OpenAPI document (plus the few it
// hides), so a new route is fuzzed without anyone adding it here. Each route gets a bounded set of
// requests, drawn with a fixed seed: path and query values that are Infinity, 400 digits, null,
// wrong types, long, not UTF-8 or path traversal; bodies missing, of the wrong type, with such
// values in each field, not JSON, not UTF-8. As an admin (the widest access) and unauthenticated.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { appWithFakes } from '../../support/app-with-fakes';
import { seeded } from '../../support/seeded';

const HOSTILE_TEXT = [
  'Infinity', '-Infinity', 'NaN', '9'.repeat(400), '-1', '0', '1e400', '1.5', 'null', 'true', '[]', '{}',
  'x'.repeat(5000), '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%FF%FE%C0%AF', '%00', "'; DROP TABLE incidents; --",
  '<script>alert(1)</script>', '%E2%80%AE', ' ', '20260101-000001', '1001', 'P001',
];
const HOSTILE_JSON: unknown[] = [
  null, 'Infinity', '1e400', 1e308, -1e308, -1, 0, 1.5, true, false, [], {}, [1, 2], { a: { b: {} } },
  'x'.repeat(20000), '\u0000', '\ud800', '../../etc/passwd', 2 ** 53 + 1, '2026-02-30', 'ring', 'listen',
];
const RAW_BODIES: { payload: string | Buffer; type: string }[] = [
  { payload: '', type: 'application/json' },
  { payload: 'null', type: 'application/json' },
  { payload: '"a string"', type: 'application/json' },
  { payload: '[1,2,3]', type: 'application/json' },
  { payload: '{"a":', type: 'application/json' },
  { payload: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]), type: 'application/json' }, // {"n":"<not UTF-8>"}
  { payload: 'name=x&password=y', type: 'application/x-www-form-urlencoded' },
  { payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', type: 'application/json' },
  { payload: 'x'.repeat(2_000_000), type: 'application/json' },
];

interface Route {
  method: string;
  path: string;
  query: string[];
  body: string[];
}

function routesOf(doc: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> }): Route[] {
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const body = op.requestBody ? Object.keys(Object.values(op.requestBody.content)[0]?.schema.properties ?? {}) : [];
      routes.push({ method: method.toUpperCase(), path, query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), body });
    }
  }
  // Hidden from the document, fuzzed all the same.
  for (const path of ['/openapi.json', '/', '/events', '/ui/{file}', '/ui/{file}/{more}']) routes.push({ method: 'GET', path, query: [], body: [] });
  return routes;
}

t.test('no hostile request gets a 5xx, on any route, signed in as admin or not', async (t) => {
  const started = Date.now();
  const { app, auth, incidents, close } = await appWithFakes({});
  t.teardown(close);
  await auth.addUser({ name: 'root', role: 'admin', password: 'root-password-1' });
  // Sessions from the service, not the route: the fuzzed sign-ins may well have tripped its throttle.
  let token = '';
  let afterAuthRoute = false;
  const signIn = async () => void (token = (await auth.signIn('root', 'root-password-1', '10.1.1.0')).token);
  // Something real to find, so that a valid-looking value goes past the lookups.
  const known = await incidents.open({ callerNumber: '13800000000', callerName: '', callerRaw: '', trunk: '110', channelId: 'ch-1', state: 'ended', arrivedAt: Date.now(), priority: 10 });
  const random = seeded(0x110);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const text = () => pick([...HOSTILE_TEXT, known.number]);
  const fill = (path: string) => path.replace(/\{[^}]+\}/g, () => text()).replace(/\{|\}/g, '');
  const failures: string[] = [];
  let sent = 0;
  let signedOut = 0;

  const send = async (label: string, request: InjectOptions) => {
    for (const headers of [{ ...request.headers, authorization: `Bearer ${token}` }, { ...request.headers }]) {
      sent += 1;
      const res = await app.inject({ ...request, headers });
      if (headers.authorization && !label.startsWith('POST /auth/logout') && res.statusCode === 401 && res.json().error === 'SIGN_IN_REQUIRED') signedOut += 1;
      if (res.statusCode >= 500) failures.push(`${res.statusCode} ${label} ${headers.authorization ? 'admin' : 'anonymous'}: ${String(request.method)} ${String(request.url).slice(0, 160)} ${res.body.slice(0, 160)}`);
    }
  };

  for (const route of routesOf(app.swagger() as never)) {
    const name = `${route.method} ${route.path}`;
    const method = route.method as InjectOptions['method'];
    // Before and after the sign-in routes: POST /auth/logout, fuzzed as admin, ends the session.
    const authRoute = route.path.startsWith('/auth/');
    if (!token || authRoute || afterAuthRoute) await signIn();
    afterAuthRoute = authRoute;
    // Path values: every hostile one, once each (in a random order of the others' slots).
    for (let i = 0; i < HOSTILE_TEXT.length; i++) await send(name, { method, url: route.path.replace(/\{[^}]+\}/g, () => HOSTILE_TEXT[i]!).replace(/\{|\}/g, '') });
    // Query values: each declared parameter with each hostile value, others left out or random.
    for (const q of [...route.query, 'unknown']) {
      for (const v of HOSTILE_TEXT) {
        const extra = route.query.filter((o) => o !== q && random() < 0.3).map((o) => `&${o}=${text()}`).join('');
        await send(name, { method, url: `${fill(route.path)}?${q}=${v}${extra}` });
      }
      await send(name, { method, url: `${fill(route.path)}?${q}=1&${q}=2` });
    }
    if (route.method === 'GET' || route.method === 'DELETE') continue;
    // Bodies: whole-body shapes, then each field with each hostile value.
    for (const raw of RAW_BODIES) await send(name, { method, url: fill(route.path), payload: raw.payload, headers: { 'content-type': raw.type } });
    await send(name, { method, url: fill(route.path) });
    for (const field of [...route.body, 'unknown']) {
      for (const v of HOSTILE_JSON) {
        const others = Object.fromEntries(route.body.filter((f) => f !== field && random() < 0.5).map((f) => [f, pick(HOSTILE_JSON)]));
        await send(name, { method, url: fill(route.path), payload: { ...others, [field]: v } });
      }
    }
  }
  const seconds = (Date.now() - started) / 1000;
  t.comment(`${sent} requests in ${seconds.toFixed(1)} s`);
  t.same(failures, [], 'no 5xx');
  t.equal(signedOut, 0, "the admin's requests were checked as an admin's, not refused as signed out");
  t.ok(seconds < 60, 'bounded: under a minute');
});
