// Seat states and events go through the write-behind with the calls' writes: in one transaction
// with what comes at the same moment, and a read of the events sees every change made before it.
import t from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { IncidentWriter } from '../../../src/incidents/incident-writer';
import { SeatsRepo } from '../../../src/store/seats-repo';
import { SeatsBehind } from '../../../src/store/seats-behind';

t.test('seat writes are queued, batched and read back in order', async (t) => {
  const db = await Database.open(':memory:');
  const writer = new IncidentWriter(new IncidentsRepo(db).writeStore(), undefined, { lingerMs: 30 });
  const batches: number[] = [];
  writer.on('committed', (c) => batches.push(c.writes));
  t.teardown(async () => {
    await writer.stop(1000);
    await db.close();
  });
  const seats = new SeatsBehind(new SeatsRepo(db), {
    push: (what, run) => writer.push(null, what, (tx) => run(tx.store)),
    settled: (ms) => writer.settled(null, ms),
  });
  const row = { id: '1001', state: 'ready', reason: null, since: 1, idleSince: 1, nailedChannel: null };
  await seats.save(row);
  await seats.addEvent('1001', 'state', { state: 'ready' }, 1);
  await seats.save({ ...row, state: 'offered', since: 2 });
  await seats.addEvent('1001', 'state', { state: 'offered' }, 2);
  t.equal(writer.depth(), 4, 'acknowledged, not written yet: nobody waits for the disk');
  t.same((await seats.events(10)).map((e) => e.detail.state), ['offered', 'ready'], 'a read waits for what is queued, newest first');
  t.same(batches, [4], 'one transaction for the four');
  t.match(await seats.all(), [{ id: '1001', state: 'offered', since: 2 }], 'the last state is the stored one');
});
