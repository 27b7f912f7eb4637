// The follow-up by SMS over a fake gateway: the survey text goes out once per attempt (its key),
// three scores in any usual writing answer it, anything else is left to become a report, and
// silence is "not reached".
import t from 'tap';
import pino from 'pino';
import { SmsFollowUp, sameNumber } from '../../../src/followup/sms-channel';
import { parseSmsScores, surveyText } from '../../../src/followup/sms-survey';

const request = { followUpId: 7, incidentId: 3, incident: '20261207-000003', number: '+8613800000001', attempt: 1 };

function setup(replyWaitMs = 5000) {
  const sent: { to: string; body: string; key: string }[] = [];
  const sms = new SmsFollowUp({ sendSms: async (to, body, key) => void sent.push({ to, body, key }) }, { replyWaitMs }, pino({ level: 'silent' }));
  return { sms, sent };
}

t.test('the reply is read as three scores however it is typed', async (t) => {
  const want = { speed: 5, attitude: 4, efficiency: 3 };
  for (const text of ['5 4 3', '543', '5,4,3', '５，４，３', ' 5分4分3分 ', '5、4、3']) t.same(parseSmsScores(text), want, JSON.stringify(text));
  for (const text of ['', '54', '5434', '6 4 3', '0 4 3', '很好', '5 4 3 谢谢', '我家被盗了 543']) t.equal(parseSmsScores(text), undefined, `not an answer: ${JSON.stringify(text)}`);
  t.match(surveyText('20261207-000003'), /20261207-000003.*1-5/, 'the survey names the incident and the scale');
  t.equal(sameNumber('+86 138-0000-0001'), '13800000001');
  t.equal(sameNumber('008613800000001'), '13800000001');
  t.equal(sameNumber('110'), '110');
});

t.test('sent once per attempt, answered by the caller number in either writing', async (t) => {
  const { sms, sent } = setup();
  const outcome = sms.ask(request);
  await new Promise((r) => setImmediate(r));
  t.same(sent, [{ to: '+8613800000001', body: surveyText(request.incident), key: 'followup-7-1' }], 'through the gateway, keyed by follow-up and attempt');
  t.equal(await sms.reply('13900000000', '5 5 5'), false, 'another number: not ours');
  t.equal(await sms.reply('13800000001', '有人在砸车，快来'), false, 'not three scores: left to become a report');
  t.equal(await sms.reply('13800000001', '1 2 5'), true, 'three scores: taken');
  t.same(await outcome, { reached: true, answers: { speed: 1, attitude: 2, efficiency: 5 } });
  t.equal(await sms.reply('13800000001', '5 5 5'), false, 'once answered, later texts are reports again');
});

t.test('no reply in time: not reached; stopping ends every wait', async (t) => {
  const quiet = setup(50);
  t.same(await quiet.sms.ask(request), { reached: false, why: 'no_reply' });
  const stopped = setup();
  const outcome = stopped.sms.ask({ ...request, attempt: 2 });
  await new Promise((r) => setImmediate(r));
  stopped.sms.stop();
  t.same(await outcome, { reached: false, why: 'stopping' });
  const failing = new SmsFollowUp({ sendSms: async () => Promise.reject(new Error('texts are off')) }, { replyWaitMs: 1000 }, pino({ level: 'silent' }));
  t.same(await failing.ask(request), { reached: false, why: 'sms_not_sent' }, 'a text that cannot be queued is an unreached attempt (retried later)');
});
