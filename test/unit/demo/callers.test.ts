import t from 'tap';
import { join } from 'node:path';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { DEFAULTS } from '../../../src/config/schema';
import { MATTERS, MatterDeck, mobileNumber, planCall, pointInGrid } from '../../../src/demo/callers';

const { grid } = loadDispatchData(join(__dirname, '../../../../config/grid'));
// The categories the service knows by default: the simulated call-takers classify with these only.
const CATEGORIES: Record<string, string> = DEFAULTS.transfer.categories;

/** A repeatable random source (LCG): the same calls each run. */
function seeded(seed = 42) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
}

t.test('callers have Chinese mobile numbers', async (t) => {
  const random = seeded();
  for (let i = 0; i < 200; i++) t.match(mobileNumber(random), /^1[3-9]\d{9}$/);
});

t.test('caller locations lie inside the grid, in the cells asked for', async (t) => {
  const random = seeded(7);
  for (let i = 0; i < 200; i++) {
    const p = pointInGrid(grid, random);
    t.ok(grid.cellAt(p.lon, p.lat), `${p.lon},${p.lat} inside a cell`);
  }
  const beat = grid.cells.filter((c) => c.unit === 'PS2');
  for (let i = 0; i < 100; i++) {
    const p = pointInGrid(grid, random, beat);
    t.equal(grid.cellAt(p.lon, p.lat)?.unit, 'PS2', 'an officer of PS2 patrols PS2');
  }
});

t.test('every matter is a category the service classifies, police ones mapped to police', async (t) => {
  for (const m of MATTERS) {
    t.ok(m.category in CATEGORIES, m.category);
    t.equal(CATEGORIES[m.category] === 'police', m.police, `${m.category}: police ${m.police}`);
  }
  t.ok(MATTERS.some((m) => !m.police) && MATTERS.some((m) => m.police));
});

t.test('each round of the deck opens with one police matter and one for 12345, then all the others', async (t) => {
  const deck = new MatterDeck(seeded(3));
  for (let round = 0; round < 5; round++) {
    const dealt = MATTERS.map(() => deck.next());
    t.equal(dealt[0]!.police, true);
    t.equal(dealt[1]!.police, false);
    t.same(new Set(dealt), new Set(MATTERS), 'every matter once a round');
  }
});

t.test('a planned call stays on long enough for its script, shorter at a faster pace', async (t) => {
  const random = seeded(11);
  const deck = new MatterDeck(random);
  const police = planCall(grid, deck, random, 1);
  const hotline = planCall(grid, deck, random, 1);
  t.ok(police.matter.police && police.holdS >= 50);
  t.ok(!hotline.matter.police && hotline.holdS >= 36);
  t.ok(police.radiusM >= 10 && police.radiusM < 70);
  t.ok(planCall(grid, new MatterDeck(random), random, 0.3).holdS < 30);
});
