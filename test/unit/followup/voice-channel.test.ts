// The voice follow-up over the fake Telephony port: the caller rung over the callback trunk, the
// survey played on the channel once answered and recorded in a bridge, keys taken (also during a
// prompt, which is then cut), busy / no answer reported, a hang-up ending the survey.
import t from 'tap';
import { FakeTelephony, silentLog } from '../../support/fake-telephony';
import { VoiceFollowUp } from '../../../src/followup/voice-channel';

const REQ = { followUpId: 1, incidentId: 7, incident: '20261207-000007', number: '13900000001', attempt: 1 };

function setup(keyTimeoutMs = 5000) {
  const fake = new FakeTelephony();
  const recorded: string[] = [];
  const recorder = { start: async (_id: number, incident: string) => (recorded.push(`start ${incident}`), 'rec-1'), stop: async (name: string) => void recorded.push(`stop ${name}`) };
  const voice = new VoiceFollowUp(fake.port, recorder, { trunk: 'trunk110', ringMs: 20000, keyTimeoutMs, maxReplays: 2, prompts: 'cti110-followup' }, silentLog());
  const tick = () => new Promise((r) => setImmediate(r));
  /** Finishes the playback in progress (Asterisk's PlaybackFinished). */
  const played = async () => {
    await tick();
    const last = fake.calls('play').at(-1);
    voice.playbackFinished(last?.[2] as string);
    await tick();
  };
  return { fake, voice, recorded, tick, played };
}

t.test('rung over the trunk; answered: asked three questions, keys taken, thanked, recorded, hung up', async (t) => {
  const { fake, voice, recorded, tick, played } = setup();
  const outcome = voice.ask(REQ);
  await tick();
  const [create] = fake.calls('createChannel') as [{ channelId: string; endpoint: string; appArgs: string; callerId: string }][];
  t.match(create[0], { endpoint: 'PJSIP/13900000001@trunk110', appArgs: 'followup', callerId: '110' });
  const leg = create[0].channelId;
  t.ok(voice.isLeg(leg));
  voice.legEntered(leg);
  t.same(fake.calls('dial'), [[leg, 20]]);
  voice.legAnswered(leg);
  await tick();
  await tick();
  t.same(recorded, ['start 20261207-000007'], 'the bridge is recorded like every call');
  t.same(fake.calls('play')[0].slice(0, 2), [leg, ['sound:cti110-followup/intro', 'sound:cti110-followup/speed']]);
  voice.digit(leg, '4'); // during the prompt: it is cut
  await tick();
  t.ok(fake.calls('stopPlayback').length >= 1, 'the prompt a key cut is stopped');
  await tick();
  t.same(fake.calls('play')[1][1], ['sound:cti110-followup/attitude']);
  await played();
  voice.digit(leg, '2');
  await tick();
  await played();
  voice.digit(leg, '5');
  await tick();
  t.same(fake.calls('play').at(-1)![1], ['sound:cti110-followup/thanks']);
  await played();
  t.same(await outcome, { reached: true, answers: { speed: 4, attitude: 2, efficiency: 5 } });
  t.same(fake.calls('hangup'), [[leg]]);
  t.same(recorded, ['start 20261207-000007', 'stop rec-1']);
  t.equal(fake.calls('destroyBridge').length, 1);
  t.notOk(voice.isLeg(leg));
});

t.test('busy / no answer: not reached, nothing recorded', async (t) => {
  for (const [cause, why] of [['busy', 'busy'], ['noanswer', 'no_answer']]) {
    const { fake, voice, recorded, tick } = setup();
    const outcome = voice.ask(REQ);
    await tick();
    const leg = fake.created()[0];
    voice.legEntered(leg);
    voice.legGone(leg, cause);
    t.same(await outcome, { reached: false, why });
    t.same(recorded, []);
    t.equal(fake.calls('destroyBridge').length, 0, 'no bridge was made');
  }
});

t.test('the trunk refuses the channel: failed', async (t) => {
  const { fake, voice } = setup();
  fake.failing.createChannel = new Error('allocation failed');
  t.match(await voice.ask(REQ), { reached: false, why: /^failed: allocation failed/ });
});

t.test('no key: no answer for each question; a hang-up ends the survey with what was given', async (t) => {
  const { fake, voice, tick, played } = setup(50);
  const outcome = voice.ask(REQ);
  await tick();
  const leg = fake.created()[0];
  voice.legEntered(leg);
  voice.legAnswered(leg);
  await tick();
  await tick();
  await played();
  await new Promise((r) => setTimeout(r, 80)); // speed: no key in time
  await played();
  voice.digit(leg, '3');
  await tick();
  voice.legGone(leg, 'hangup');
  t.same(await outcome, { reached: true, answers: { speed: null, attitude: 3, efficiency: null } });
});
