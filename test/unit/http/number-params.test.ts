// Numbers from outside that JSON Schema's bounds did not stop: Ajv coerces "Infinity" and numbers
// too long for a double to Infinity and then skipped minimum/maximum, so they reached SQL (500).
// And every stats route caps its period, /stats/transfers too.
import t from 'tap';
import { appWithFakes } from '../../support/app-with-fakes';

const HUGE = '9'.repeat(400);
const CASES = [
  '/incidents?limit=', '/seats/events?limit=', '/abandoned?limit=', '/dispatch/alerts?limit=', '/recordings?limit=',
  '/recordings/access?limit=', '/stats/queue?to=', '/stats/dispatch?to=', '/stats/transfers?to=', '/dispatch/nearest?lon=116.4&lat=',
  '/recordings?from=', '/spot-checks?day=2026-01-01&size=',
];

t.test('Infinity, -Infinity and 400-digit numbers in a query are 400, not 500', async (t) => {
  const { app, close } = await appWithFakes({ authEnabled: false });
  t.teardown(close);
  for (const prefix of CASES) {
    for (const value of ['Infinity', '-Infinity', HUGE, `-${HUGE}`, '1e400']) {
      const res = await app.inject(prefix + value);
      t.equal(res.statusCode, 400, `${prefix}${value.slice(0, 12)}: ${res.body.slice(0, 120)}`);
    }
  }
  const body = await app.inject({ method: 'PUT', url: '/officers/P001/position', payload: { lon: '1e400', lat: 39.9 } });
  t.equal(body.statusCode, 400, `a body number given as the string "1e400": ${body.body}`);
  t.equal((await app.inject('/incidents?limit=5')).statusCode, 200, 'a sound limit still works');
});

t.test('/stats/transfers refuses a period longer than the other stats routes allow', async (t) => {
  const { app, close } = await appWithFakes({ authEnabled: false });
  t.teardown(close);
  const year = await app.inject('/stats/transfers?from=0&to=31536000000');
  t.equal(year.statusCode, 400, year.body);
  t.equal(year.json().error, 'BAD_PERIOD');
  t.equal((await app.inject('/stats/transfers')).statusCode, 200, 'the default (30 days) is within the cap');
  t.equal((await app.inject('/stats/transfers?from=1000&to=1000')).statusCode, 400, 'an empty period');
});
