// POST/DELETE /incidents/:n/interpreter: every refusal is a clear 4xx with a stable code.
import t from 'tap';
import { createBaseApp } from '../../../src/http/base';
import { interpretingRoutes } from '../../../src/http/routes/interpreting';
import { InterpreterConference } from '../../../src/interpreting/conference';
import { InterpretingService } from '../../../src/interpreting/service';
import { IncidentNotFound } from '../../../src/incidents/incidents';
import { FakeTelephony, silentLog } from '../../support/fake-telephony';

const TALKING = '20261207-000001';
const NO_CALL = '20261207-000002';

t.test('interpreter routes answer 202, 204 or a clear 4xx', async (t) => {
  const fake = new FakeTelephony();
  const conference = new InterpreterConference(fake.port, { stamp: async () => {} }, { talkingCall: (n) => (n === TALKING ? { incidentId: 1, bridgeId: 'b' } : undefined) }, { answerMs: 60_000 }, silentLog());
  const incidents = { findByNumber: async (n: string) => ([TALKING, NO_CALL].includes(n) ? ({ id: 1 } as never) : Promise.reject(new IncidentNotFound(n))) };
  const app = createBaseApp();
  interpretingRoutes(app, { interpreting: new InterpretingService(incidents, conference, { en: ['PJSIP/2501'], ru: ['PJSIP/2503'] }) });
  await app.ready();
  t.teardown(async () => {
    await conference.endFor(TALKING);
    await app.close();
  });
  const call = (n: string, payload?: object) => app.inject({ method: 'POST', url: `/incidents/${n}/interpreter`, ...(payload ? { payload } : {}) });
  const dismiss = (n: string) => app.inject({ method: 'DELETE', url: `/incidents/${n}/interpreter` });

  t.same((await app.inject({ url: '/interpreting/languages' })).json(), ['en', 'ru'], 'the picker lists the configured languages');
  t.match((await call(TALKING, { language: 'xx' })).json(), { error: 'LANGUAGE_NOT_OFFERED' });
  t.equal((await call(TALKING, { language: 'xx' })).statusCode, 404, 'unknown language: 404');
  t.equal((await call(TALKING, { language: 'EN!' })).statusCode, 400, 'not a language tag: 400');
  t.equal((await call(TALKING)).statusCode, 400, 'no body: 400');
  t.equal((await call(TALKING, { language: 'en', extra: 1 })).statusCode, 400, 'unknown field: 400');
  t.match(await call('20261207-999999', { language: 'en' }), { statusCode: 404, body: /INCIDENT_NOT_FOUND/ }, 'unknown incident: 404');
  t.match(await call(NO_CALL, { language: 'en' }), { statusCode: 409, body: /NO_CALL_TO_INTERPRET/ }, 'no call in progress: 409');
  t.match(await dismiss(TALKING), { statusCode: 409, body: /NO_INTERPRETER/ }, 'nothing to dismiss: 409');
  const started = await call(TALKING, { language: 'en' });
  t.equal(started.statusCode, 202);
  t.same(started.json(), { language: 'en', lines: 1 });
  t.match(await call(TALKING, { language: 'ru' }), { statusCode: 409, body: /INTERPRETER_PRESENT/ }, 'already present: 409');
  t.equal((await dismiss(TALKING)).statusCode, 204, 'dismissed');
  t.equal((await call(TALKING, { language: 'ru' })).statusCode, 202, 'and another may be asked for');
});
