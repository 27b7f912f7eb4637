import t from 'tap';
import { Database } from '../../../src/store/database';
import { StatsRepo } from '../../../src/store/stats-repo';

/** Until the queue migration lands, add its timing columns here; once it has, this adds nothing. */
async function openWithTimingColumns(path: string): Promise<Database> {
  const db = await Database.open(path);
  const have = new Set((await db.all<{ name: string }>('PRAGMA table_info(incidents)')).map((c) => c.name));
  const wanted = { offered_at: 'INTEGER', answered_at: 'INTEGER', abandoned_at: 'INTEGER', seat_id: 'TEXT', delivery: 'TEXT' };
  for (const [name, type] of Object.entries(wanted)) if (!have.has(name)) await db.exec(`ALTER TABLE incidents ADD COLUMN ${name} ${type}`);
  return db;
}

let seq = 0;
async function addCall(db: Database, c: { arrivedAt: number; offeredAt?: number; answeredAt?: number; abandonedAt?: number; seatId?: string; delivery?: string }): Promise<string> {
  seq += 1;
  const number = `20261123-${String(seq).padStart(6, '0')}`;
  await db.run(
    `INSERT INTO incidents (number, caller_number, caller_name, trunk, channel_id, state, arrived_at, offered_at, answered_at, abandoned_at, seat_id, delivery)
     VALUES (?, '13800138000', '', '110', ?, 'ended', ?, ?, ?, ?, ?, ?)`,
    [number, `ch-${seq}`, c.arrivedAt, c.offeredAt ?? null, c.answeredAt ?? null, c.abandonedAt ?? null, c.seatId ?? null, c.delivery ?? null],
  );
  return number;
}

t.test('answer times of calls that arrived in [from, to), oldest first', async (t) => {
  const db = await openWithTimingColumns(`${t.testdir({})}/s.sqlite`);
  t.teardown(() => db.close());
  const from = 1_000_000;
  const to = 2_000_000;
  await addCall(db, { arrivedAt: from - 1, answeredAt: from + 5 }); //                  before: out
  const b = await addCall(db, { arrivedAt: from + 10, offeredAt: from + 20, abandonedAt: from + 900, seatId: '1002', delivery: 'ring' });
  const a = await addCall(db, { arrivedAt: from, offeredAt: from, answeredAt: from + 1_500, seatId: '1001', delivery: 'nailed' });
  const c = await addCall(db, { arrivedAt: to - 1, delivery: 'carrier-pigeon' }); //    unknown delivery reads as null
  await addCall(db, { arrivedAt: to }); //                                                end is exclusive
  const rows = await new StatsRepo(db).answerTimes(from, to);
  t.same(rows, [
    { number: a, arrivedAt: from, offeredAt: from, answeredAt: from + 1_500, abandonedAt: null, seatId: '1001', delivery: 'nailed' },
    { number: b, arrivedAt: from + 10, offeredAt: from + 20, answeredAt: null, abandonedAt: from + 900, seatId: '1002', delivery: 'ring' },
    { number: c, arrivedAt: to - 1, offeredAt: null, answeredAt: null, abandonedAt: null, seatId: null, delivery: null },
  ]);
  t.same(await new StatsRepo(db).answerTimes(to + 1, to + 2), []);
});
