// Which incidents get a follow-up, and when it may ring: the share is deterministic (hash of the
// number), major categories always, quiet hours (local time, also across midnight) postpone.
process.env.TZ = 'Asia/Shanghai';
import t from 'tap';
import { bucketOf, followUpReason, inQuietHours, notDuringQuietHours } from '../../../src/followup/plan';

const MAJOR = ['murder', 'robbery'];
const at = (d: number, h: number, m = 0) => new Date(2026, 11, d, h, m).getTime();
const NIGHT = { from: '22:00', to: '08:00' };

t.test('major categories always, others by share of a bucket fixed by the number', async (t) => {
  t.equal(followUpReason({ number: '20261207-000001', category: 'robbery' }, MAJOR, 0), 'major', 'share 0: a major incident still gets one');
  t.equal(followUpReason({ number: '20261207-000001', category: 'car_moving' }, MAJOR, 0), null);
  t.equal(followUpReason({ number: '20261207-000001', category: null }, MAJOR, 100), 'share', 'share 100: every one');
  t.equal(bucketOf('20261207-000042'), bucketOf('20261207-000042'), 'the same number, the same bucket');
  const numbers = Array.from({ length: 2000 }, (_, i) => `20261207-${String(i + 1).padStart(6, '0')}`);
  const picked = numbers.filter((n) => followUpReason({ number: n, category: 'crime' }, MAJOR, 30) === 'share');
  t.ok(picked.length > 500 && picked.length < 700, `about 30 % picked (${picked.length} of 2000)`);
  t.same(picked, numbers.filter((n) => bucketOf(n) < 30), 'exactly those whose bucket is below the share');
});

t.test('quiet hours 22:00-08:00: no call at night, postponed to 08:00', async (t) => {
  t.notOk(inQuietHours(at(7, 21, 59), NIGHT));
  t.ok(inQuietHours(at(7, 22, 0), NIGHT));
  t.ok(inQuietHours(at(8, 7, 59), NIGHT));
  t.notOk(inQuietHours(at(8, 8, 0), NIGHT));
  t.equal(notDuringQuietHours(at(7, 23, 30), NIGHT), at(8, 8, 0), 'before midnight: the next morning');
  t.equal(notDuringQuietHours(at(8, 3, 0), NIGHT), at(8, 8, 0), 'after midnight: the same morning');
  t.equal(notDuringQuietHours(at(8, 12, 0), NIGHT), at(8, 12, 0), 'daytime: unchanged');
});

t.test('quiet hours within one day, and none', async (t) => {
  const lunch = { from: '12:00', to: '13:30' };
  t.equal(notDuringQuietHours(at(8, 12, 10), lunch), at(8, 13, 30));
  t.equal(notDuringQuietHours(at(8, 13, 30), lunch), at(8, 13, 30));
  t.equal(notDuringQuietHours(at(8, 23, 0), { from: '00:00', to: '00:00' }), at(8, 23, 0), 'from = to: no quiet hours');
});
