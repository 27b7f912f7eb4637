import t, { type Test } from 'tap';
import { join } from 'node:path';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { Officers, parseRoster, PHONE_PATTERN } from '../../../src/dispatch/officers';
import { Database } from '../../../src/store/database';
import { OFFICERS_MIGRATION, OfficersRepo } from '../../../src/store/officers-repo';

const { grid, roster } = loadDispatchData(join(__dirname, '../../../../config/grid'));

/** Until the lead appends OFFICERS_MIGRATION to migrations.ts; afterwards this adds nothing. */
async function openDb(t: Test): Promise<Database> {
  const db = await Database.open(`${t.testdir({})}/o.sqlite`);
  if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'officers'"))) await db.exec(OFFICERS_MIGRATION);
  t.teardown(() => db.close());
  return db;
}

t.test('phones: a PJSIP endpoint or a mainland mobile number, stored as given', async (t) => {
  for (const ok of ['PJSIP/2001', 'PJSIP/officer-7', '13800138000', '+8613800138000', '19912345678']) t.match(ok, PHONE_PATTERN, ok);
  for (const bad of ['2001', 'SIP/2001', '12800138000', '+8612800138000', '1380013800', '+85213800138000', '138 0013 8000']) t.notMatch(bad, PHONE_PATTERN, bad);
});

t.test('the roster file is checked against the grid', async (t) => {
  const bad = (json: unknown, message: string | RegExp) => t.throws(() => parseRoster(json, 'config/grid/officers.json', grid), { code: 'CONFIG_INVALID', message });
  const o = { id: '2001', name: 'Wang Wei', unit: 'PS1', phone: 'PJSIP/2001' };
  t.same(parseRoster([o], 'f', grid), [{ ...o, duty: 'off_duty' }], 'duty defaults to off duty');
  bad([{ ...o, unit: 'PS9' }], 'officers: officer "2001" in config/grid/officers.json names unknown unit "PS9"');
  bad([o, o], /officer "2001" .* is listed twice/);
  bad([{ ...o, phone: '2001' }], /officer "2001" .*phone must be PJSIP\/<endpoint> or a mobile number/);
  bad([{ ...o, duty: 'asleep' }], /duty must be one of on_duty, off_duty, busy, got "asleep"/);
  bad([{ ...o, id: '' }], /officer #0 .*id must be/);
  bad({}, /expected a JSON array of officers/);
});

t.test('seeding keeps positions and live duty; stale positions count as unknown', async (t) => {
  const db = await openDb(t);
  let now = 1_000_000;
  const officers = new Officers(new OfficersRepo(db), 60_000, () => now);
  await officers.seed(roster);
  t.same((await officers.all()).map((o) => [o.id, o.duty, o.position]), [['2001', 'on_duty', null], ['2002', 'on_duty', null], ['2003', 'on_duty', null], ['2004', 'off_duty', null]]);

  const moved = await officers.reportPosition('2001', { lon: 116.385, lat: 39.905, accuracyM: 8 });
  t.same(moved.position, { lon: 116.385, lat: 39.905, accuracyM: 8, at: 1_000_000 });
  t.equal(moved.positionFresh, true);
  await officers.setDuty('2001', 'busy');

  // A restart with an edited roster: the new name lands, the busy state and the position stay.
  await officers.seed(roster.map((o) => (o.id === '2001' ? { ...o, name: 'Wang Wei (sergeant)' } : o)));
  const after = await officers.get('2001');
  t.same([after.name, after.duty, after.position?.lon], ['Wang Wei (sergeant)', 'busy', 116.385]);

  now += 60_000;
  t.equal((await officers.get('2001')).positionFresh, true, 'exactly maxPositionAgeMs old: still fresh');
  now += 1;
  t.equal((await officers.get('2001')).positionFresh, false, 'older: unknown for dispatch, still shown');

  await t.rejects(officers.get('9999'), { code: 'OFFICER_NOT_FOUND' });
  await t.rejects(officers.reportPosition('9999', { lon: 116.4, lat: 39.9 }), { code: 'OFFICER_NOT_FOUND' });
  await t.rejects(officers.setDuty('9999', 'on_duty'), { code: 'OFFICER_NOT_FOUND' });
  await t.rejects(officers.reportPosition('2001', { lon: 39.9, lat: 116.4 }), { code: 'LOCATION_INVALID', message: 'position: latitude must be within -90..90, got 116.4' });
});
