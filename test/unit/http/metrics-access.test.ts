// /metrics was public: anyone on the network could read how busy the centre is. Prometheus now
// scrapes with `Authorization: Bearer <metrics.token>`; a signed-in supervisor may read it too.
import t from 'tap';
import { appWithFakes } from '../../support/app-with-fakes';

t.test('/metrics needs the metrics token or a supervisor session', async (t) => {
  const { app, auth, close } = await appWithFakes({ metricsToken: 'scrape-secret-1' });
  t.teardown(close);
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  await auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  const session = async (name: string, password: string) => `Bearer ${(await app.inject({ method: 'POST', url: '/auth/login', payload: { name, password } })).json().token}`;
  const get = (authorization?: string) => app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });

  t.equal((await get()).statusCode, 401, 'anonymous: refused');
  t.equal((await get('Bearer wrong-secret-1')).statusCode, 401, 'a wrong token: refused');
  t.equal((await get('Bearer scrape-secret')).statusCode, 401, 'a prefix of the token: refused');
  const ok = await get('Bearer scrape-secret-1');
  t.equal(ok.statusCode, 200, 'the metrics token');
  t.match(ok.body, /cti110_/);
  t.equal((await get(await session('boss', 'boss-password-1'))).statusCode, 200, 'a supervisor session');
  t.equal((await get(await session('li', 'li-password-1'))).statusCode, 401, 'a call-taker session: refused');
});

t.test('no token configured: supervisors only; sign-in off: open like every route', async (t) => {
  const none = await appWithFakes({});
  t.teardown(none.close);
  t.equal((await none.app.inject({ url: '/metrics', headers: { authorization: 'Bearer ' } })).statusCode, 401, 'an empty token never matches an empty setting');
  t.equal((await none.app.inject('/metrics')).statusCode, 401);
  const lab = await appWithFakes({ authEnabled: false });
  t.teardown(lab.close);
  t.equal((await lab.app.inject('/metrics')).statusCode, 200);
});
