// Retries of ARI requests that got no answer: what is retried, what is final, and what a retry
// that meets the first try's result means.
import t from 'tap';
import pino from 'pino';
import { AsteriskUnavailable, ChannelGone, TelephonyRejected } from '../../../src/asterisk/errors';
import { RetryingTelephony } from '../../../src/asterisk/retrying-telephony';
import type { Telephony } from '../../../src/asterisk/telephony';

/** An inner Telephony whose `answer` and `createChannel` fail as scripted, one outcome per try. */
function scripted(outcomes: (Error | 'ok')[]): { telephony: Telephony; tries: () => number } {
  let tries = 0;
  const next = async () => {
    const outcome = outcomes[tries++] ?? 'ok';
    if (outcome !== 'ok') throw outcome;
  };
  const telephony = { answer: next, createChannel: next, listChannels: async () => (await next(), []) } as unknown as Telephony;
  return { telephony, tries: () => tries };
}

const log = pino({ level: 'silent' });
const fast = { delaysMs: [1, 1, 1] };

t.test('no answer from Asterisk: tried again until it answers', async (t) => {
  const inner = scripted([new AsteriskUnavailable('answer: no answer in 5000 ms'), new AsteriskUnavailable('ECONNRESET'), 'ok']);
  const telephony = new RetryingTelephony(inner.telephony, fast, log);
  await telephony.answer('caller-1');
  t.equal(inner.tries(), 3);
  t.equal(telephony.retries.get('answer'), 2, 'retries counted by operation');
});

t.test('gives up after its delays, with the last error', async (t) => {
  const down = new AsteriskUnavailable('ECONNREFUSED');
  const inner = scripted([down, down, down, down, down]);
  await t.rejects(new RetryingTelephony(inner.telephony, fast, log).answer('caller-1'), AsteriskUnavailable);
  t.equal(inner.tries(), 4, 'one try and three retries');
});

t.test('a refusal from Asterisk on the first try is final (no retry)', async (t) => {
  for (const refusal of [new TelephonyRejected('Channel not in Stasis application'), new ChannelGone('caller-1')]) {
    const inner = scripted([refusal]);
    await t.rejects(new RetryingTelephony(inner.telephony, fast, log).answer('caller-1'), refusal.constructor as never);
    t.equal(inner.tries(), 1);
  }
});

t.test('a conflict after a timed-out try means the first try went through', async (t) => {
  const inner = scripted([new AsteriskUnavailable('create channel: no answer in 5000 ms'), new TelephonyRejected('Channel with this ID already exists')]);
  await new RetryingTelephony(inner.telephony, fast, log).createChannel({ channelId: 'leg-1', endpoint: 'PJSIP/1001', appArgs: 'leg,caller-1' });
  t.equal(inner.tries(), 2);
});

t.test('a read is never taken as done by a conflict', async (t) => {
  const inner = scripted([new AsteriskUnavailable('ETIMEDOUT'), new TelephonyRejected('odd')]);
  await t.rejects(new RetryingTelephony(inner.telephony, fast, log).listChannels(), TelephonyRejected);
});
