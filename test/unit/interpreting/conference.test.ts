// The interpreter line's decisions over the fake Telephony: lines of the language in order, the
// next at once when one does not answer or fails, the call-taker told when none answers, and an
// interpreter leaving (hanging up or dismissed) never ends the call.
import t from 'tap';
import { InterpreterConference } from '../../../src/interpreting/conference';
import { InterpretingService } from '../../../src/interpreting/service';
import { FakeTelephony, silentLog } from '../../support/fake-telephony';
import { IncidentNotFound } from '../../../src/incidents/incidents';

const INCIDENT = '20261207-000001';
const LINES = ['PJSIP/2501', 'PJSIP/2502'];

function setup(opts: { answerMs?: number } = {}) {
  const fake = new FakeTelephony();
  const stamped: { kind: string; detail: Record<string, unknown> }[] = [];
  let talking = true;
  const conference = new InterpreterConference(
    fake.port,
    { stamp: async (_id, kind, detail = {}) => void stamped.push({ kind, detail }) },
    { talkingCall: (n) => (n === INCIDENT && talking ? { incidentId: 7, bridgeId: 'bridge-1' } : undefined) },
    { answerMs: opts.answerMs ?? 60_000 },
    silentLog(),
  );
  const service = new InterpretingService(
    { findByNumber: async (n) => (n === INCIDENT ? ({ id: 7 } as never) : Promise.reject(new IncidentNotFound(n))) },
    conference,
    { en: LINES, ru: ['PJSIP/2503'] },
  );
  const kinds = () => stamped.map((s) => s.kind);
  const leg = () => fake.created().at(-1)!;
  // A ring still pending at a test's end would keep its timer (and the process) alive.
  t.teardown(() => conference.endFor(INCIDENT));
  return { fake, stamped, kinds, conference, service, leg, callerGone: () => void (talking = false) };
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

t.test('the first line answers: joined to the caller bridge; hanging up leaves the call going', async (t) => {
  const s = setup();
  t.same(await s.service.call(INCIDENT, 'en'), { language: 'en', lines: 2 });
  const first = s.leg();
  t.match(s.fake.calls('createChannel'), [[{ channelId: first, endpoint: 'PJSIP/2501', appArgs: 'interpreter' }]], 'the first English line is rung');
  s.conference.legEntered(first);
  s.conference.legAnswered(first);
  await settle();
  t.same(s.fake.calls('addToBridge'), [['bridge-1', [first]]], "joined to the caller's bridge");
  t.same(s.conference.presentIn(INCIDENT), { language: 'en', joined: true });
  s.conference.legGone(first, 'hangup');
  await settle();
  t.same(s.kinds(), ['interpreter_requested', 'interpreter_ringing', 'interpreter_joined', 'interpreter_left']);
  t.match(s.stamped.at(-1)!.detail, { language: 'en', line: 'PJSIP/2501', by: 'interpreter' });
  t.same(s.fake.calls('hangup'), [], 'nobody else is hung up: caller and call-taker talk on');
  t.equal(s.conference.presentIn(INCIDENT), undefined, 'another interpreter may be asked for');
});

t.test('a line that does not answer in time: the next is rung at once', async (t) => {
  const s = setup({ answerMs: 300 });
  await s.service.call(INCIDENT, 'en');
  const first = s.leg();
  // The second line is answered as soon as it rings, well within its own 300 ms.
  while (s.fake.calls('createChannel').length < 2) await new Promise((r) => setTimeout(r, 5));
  const second = s.leg();
  t.not(second, first);
  t.same(s.fake.calls('hangup'), [[first]], 'the unanswered ring is withdrawn');
  t.match(s.stamped.find((x) => x.kind === 'interpreter_failed')!.detail, { line: 'PJSIP/2501', cause: 'no_answer' });
  t.equal((s.fake.calls('createChannel')[1][0] as { endpoint: string }).endpoint, 'PJSIP/2502');
  s.conference.legAnswered(first); // a late answer of the withdrawn leg changes nothing
  s.conference.legAnswered(second);
  await settle();
  t.same(s.fake.calls('addToBridge'), [['bridge-1', [second]]]);
  t.match(s.stamped.at(-1), { kind: 'interpreter_joined', detail: { line: 'PJSIP/2502' } });
});

t.test('none answers (busy, unreachable): the call-taker is told, the call goes on', async (t) => {
  const s = setup();
  await s.service.call(INCIDENT, 'en');
  s.conference.legGone(s.leg(), 'busy');
  await settle();
  s.fake.failing.createChannel = new Error('endpoint not found');
  s.conference.legGone(s.leg(), 'chanunavail');
  await settle();
  t.same(s.kinds(), ['interpreter_requested', 'interpreter_ringing', 'interpreter_failed', 'interpreter_ringing', 'interpreter_failed', 'interpreter_exhausted']);
  t.same(s.stamped.at(-1)!.detail, { language: 'en' });
  t.equal(s.fake.calls('createChannel').length, 2, 'each line once, no loop');
  t.equal(s.conference.presentIn(INCIDENT), undefined, 'the call-taker may try again');
  t.equal(s.fake.calls('addToBridge').length, 0);
});

t.test('a line that cannot even be created: the next one', async (t) => {
  const s = setup();
  s.fake.failing.createChannel = new Error('allocation failed');
  await s.service.call(INCIDENT, 'ru');
  await settle();
  t.same(s.kinds(), ['interpreter_requested', 'interpreter_ringing', 'interpreter_failed', 'interpreter_exhausted'], 'the only Russian line failed: exhausted');
  t.match(s.stamped[2].detail, { cause: /create: allocation failed/ });
});

t.test('the call-taker dismisses the interpreter: only their leg is hung up', async (t) => {
  const s = setup();
  await s.service.call(INCIDENT, 'en');
  const first = s.leg();
  s.conference.legAnswered(first);
  await settle();
  await s.service.dismiss(INCIDENT);
  t.same(s.fake.calls('hangup'), [[first]]);
  s.conference.legGone(first, 'hangup'); // the StasisEnd of that hangup
  await settle();
  t.match(s.stamped.at(-1), { kind: 'interpreter_left', detail: { by: 'call-taker' } });
});

t.test('dismissed while ringing: the ring is withdrawn and no next line is rung', async (t) => {
  const s = setup();
  await s.service.call(INCIDENT, 'en');
  const first = s.leg();
  await s.service.dismiss(INCIDENT);
  s.conference.legGone(first, 'cancel');
  await settle();
  t.equal(s.fake.calls('createChannel').length, 1);
  t.match(s.stamped.at(-1), { kind: 'interpreter_failed', detail: { cause: 'withdrawn' } });
});

t.test('refusals: unknown language, unknown incident, no call, already present, nothing to dismiss', async (t) => {
  const s = setup();
  await t.rejects(s.service.call(INCIDENT, 'xx'), { code: 'LANGUAGE_NOT_OFFERED', message: /offered: en, ru/ });
  await t.rejects(s.service.call(INCIDENT, 'constructor'), { code: 'LANGUAGE_NOT_OFFERED' }, 'no prototype key passes for a language');
  await t.rejects(s.service.call('20261207-999999', 'en'), { code: 'INCIDENT_NOT_FOUND' });
  await t.rejects(s.service.dismiss(INCIDENT), { code: 'NO_INTERPRETER' });
  await s.service.call(INCIDENT, 'en');
  await t.rejects(s.service.call(INCIDENT, 'ru'), { code: 'INTERPRETER_PRESENT' }, 'one interpreter at a time');
  const other = setup();
  other.callerGone();
  await t.rejects(other.service.call(INCIDENT, 'en'), { code: 'NO_CALL_TO_INTERPRET' });
  t.same(other.fake.calls('createChannel'), []);
});

t.test('the caller hangs up: the interpreter is hung up, nothing more is rung', async (t) => {
  const s = setup();
  await s.service.call(INCIDENT, 'en');
  const first = s.leg();
  s.callerGone();
  s.conference.legGone(first, 'noanswer');
  await settle();
  t.equal(s.fake.calls('createChannel').length, 1, 'no next line for a call that is over');
  t.notOk(s.kinds().includes('interpreter_exhausted'));

  const joined = setup();
  await joined.service.call(INCIDENT, 'en');
  const leg = joined.leg();
  joined.conference.legAnswered(leg);
  await settle();
  await joined.conference.endFor(INCIDENT);
  t.same(joined.fake.calls('hangup'), [[leg]]);
  t.notOk(joined.conference.isLeg(leg), 'its StasisEnd is no longer ours');
});

t.test('answered but not joined to the bridge: let go, said on the timeline, the call goes on', async (t) => {
  const s = setup();
  s.fake.failing.addToBridge = new Error('bridge gone');
  await s.service.call(INCIDENT, 'en');
  const first = s.leg();
  s.conference.legAnswered(first);
  await settle();
  t.same(s.fake.calls('hangup'), [[first]], 'only the interpreter leg');
  t.match(s.stamped.at(-1), { kind: 'interpreter_failed', detail: { line: 'PJSIP/2501', cause: 'join: bridge gone' } });
  t.notOk(s.conference.isLeg(first));
  t.equal(s.conference.presentIn(INCIDENT), undefined, 'the call-taker may ask again');
});
