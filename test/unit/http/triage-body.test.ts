// POST /incidents/:n/classify: `"police": null` used to be coerced to false (a police matter filed
// as not one, and a hot transfer to 12345 allowed). A body's values are taken as sent: 400.
import t from 'tap';
import { createBaseApp } from '../../../src/http/base';
import { triageRoutes } from '../../../src/http/routes/triage';

t.test('police must be true or false', async (t) => {
  const classified: unknown[] = [];
  const app = createBaseApp();
  const transfers = { classify: async (n: string, body: unknown) => (classified.push(body), { number: n }) };
  triageRoutes(app, { transfers, categories: {} } as unknown as Parameters<typeof triageRoutes>[1]);
  await app.ready();
  t.teardown(() => app.close());
  const classify = (payload: object) => app.inject({ method: 'POST', url: '/incidents/20260101-000001/classify', payload });
  for (const police of [null, 'false', 0, 'true', 1]) {
    const res = await classify({ police });
    t.equal(res.statusCode, 400, `police ${JSON.stringify(police)}: 400`);
    t.same(res.json(), { error: 'BAD_REQUEST', message: 'body /police must be boolean' });
  }
  t.equal((await classify({ police: true, summary: null })).statusCode, 400, 'summary null: 400, not ""');
  t.same(classified, [], 'nothing was classified');
  await classify({ police: false, category: 'utilities' });
  t.same(classified, [{ police: false, category: 'utilities' }], 'a proper body goes through');
});
