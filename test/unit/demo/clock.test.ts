import t from 'tap';
import { Clock, Stopped } from '../../../src/demo/clock';

t.test('a person pauses about as long as asked, scaled by the pace', async (t) => {
  const fast = new Clock(0.01, () => 0.5); // ±30 % at its middle: exactly the pace
  const start = Date.now();
  await fast.pause(2000);
  const took = Date.now() - start;
  t.ok(took < 1000, `2 s at pace 0.01 is about 20 ms (took ${took} ms)`);
});

const stopped = (p: Promise<unknown>) => p.then(() => false, (err: unknown) => err instanceof Stopped);

t.test('halting ends every wait at once, and any later one', async (t) => {
  const clock = new Clock(1);
  const waits = Array.from({ length: 20 }, () => clock.sleep(60000)); // more than Node's 10 listeners
  const polled = clock.until('never', async () => undefined, 60000);
  clock.halt();
  t.same(await Promise.all(waits.map(stopped)), waits.map(() => true), 'every sleep ends with Stopped');
  t.ok(await stopped(polled), 'a poll too');
  t.ok(await stopped(clock.sleep(1)), 'a sleep after the halt at once');
  t.ok(clock.stopped);
});

t.test('until gives the first value, or says what it waited for', async (t) => {
  const clock = new Clock(1);
  let n = 0;
  t.equal(await clock.until('the third poll', async () => (++n >= 3 ? n : undefined), 10000), 3);
  await t.rejects(clock.until('a seat', async () => false, 0), /gave up waiting for a seat after 0 s/);
});
