// The followUp config keys: defaults load, and a mistake names its key and what was expected.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config/load';

const withFile = (t: Test, followUp: Record<string, unknown>) => {
  const file = `${t.testdir({})}/c.json`;
  writeFileSync(file, JSON.stringify({ followUp }));
  return () => loadConfig({}, file);
};

t.test('defaults: on, 30 min after the close, quiet 22:00-08:00', async (t) => {
  t.match(loadConfig({}).followUp, { enabled: true, delayMs: 1_800_000, quietHours: { from: '22:00', to: '08:00' }, trunk: 'trunk110', maxReplays: 2 });
});

t.test('clear errors', async (t) => {
  t.throws(withFile(t, { quietHours: { from: '25:00', to: '08:00' } }), { message: /followUp\.quietHours\.from.*HH:MM/ });
  t.throws(withFile(t, { sharePct: 120 }), { message: /followUp\.sharePct.*percentage, 0-100/ });
  t.throws(withFile(t, { retries: -1 }), { message: /followUp\.retries.*0-10/ });
  t.throws(withFile(t, { trunk: 'bad trunk' }), { message: /followUp\.trunk.*PJSIP endpoint/ });
  t.throws(withFile(t, { channel: 'fax' }), { message: /followUp\.channel.*'voice' or 'sms'/ }, 'the channels there are');
  t.equal(withFile(t, { channel: 'sms' })().followUp.channel, 'sms', 'by SMS, through the texts gateway');
  t.throws(withFile(t, { smsReplyWaitMs: 10 }), { message: /followUp\.smsReplyWaitMs.*1000 to a week/ });
});
