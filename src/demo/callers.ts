// Who calls 110 in the demo: Chinese mobile numbers, a handset location inside the city's grid
// (sent with the INVITE, as a mobile network does for an emergency call), and what they call
// about. Pure: the random source is handed in, so the unit test can pin it.
import type { Cell, Grid } from '../dispatch/grid';

export type Random = () => number;

/** What the caller reports, and how the call-taker classifies it (transfer.categories). */
export interface Matter {
  police: boolean;
  category: string;
  summary: string;
}

// About 40 % of the matters are not police matters, close to what centres report (DOMAIN.md:
// many calls are not emergencies; one city hands ~1,100 calls a day to 12345).
export const MATTERS: readonly Matter[] = [
  { police: true, category: 'crime', summary: '电动车在超市门口被偷 (e-bike stolen outside the supermarket)' },
  { police: true, category: 'crime', summary: '烧烤店门口两人打架 (two men fighting outside a barbecue restaurant)' },
  { police: true, category: 'traffic_accident', summary: '路口两车追尾，一人受伤 (rear-end collision at the crossing, one hurt)' },
  { police: true, category: 'crime', summary: '有人撬邻居家的门 (someone is forcing a neighbour\'s door)' },
  { police: true, category: 'traffic_accident', summary: '外卖电动车撞了行人 (delivery scooter knocked down a pedestrian)' },
  { police: true, category: 'robbery', summary: '手机在公交站被抢 (phone snatched at the bus stop)' },
  { police: false, category: 'car_moving', summary: '车被堵在小区门口，联系不上车主 (a car blocks the compound gate, owner unreachable)' },
  { police: false, category: 'utilities', summary: '楼里从早上停水 (no water in the building since this morning)' },
  { police: false, category: 'door_opening', summary: '钥匙锁在家里了 (locked out of the flat)' },
  { police: false, category: 'labour_dispute', summary: '老板拖欠两个月工资 (employer owes two months\' wages)' },
];

// Mobile prefixes of the three carriers (China Mobile, China Unicom, China Telecom).
const PREFIXES = ['134', '135', '136', '138', '139', '150', '151', '152', '157', '158', '159', '182', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '177', '180', '181', '189', '199'];

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)]!;

export function mobileNumber(random: Random): string {
  let rest = '';
  for (let i = 0; i < 8; i++) rest += Math.floor(random() * 10);
  return pick(PREFIXES, random) + rest;
}

/**
 * A point inside one of `cells` (by default any of the grid's: a handset somewhere in the city),
 * 6 decimals (~0.1 m).
 */
export function pointInGrid(grid: Grid, random: Random, cells: readonly Cell[] = grid.cells): { lon: number; lat: number } {
  for (let tries = 0; tries < 1000; tries++) {
    const cell = pick(cells, random);
    const [west, south, east, north] = cell.bbox;
    const lon = Math.round((west + random() * (east - west)) * 1e6) / 1e6;
    const lat = Math.round((south + random() * (north - south)) * 1e6) / 1e6;
    // A cell's box holds more than the cell (a multipolygon's gaps): keep only points inside it.
    if (grid.cellAt(lon, lat) === cell) return { lon, lat };
  }
  throw new Error('the grid has no cell a random point falls in');
}

/**
 * The matters in shuffled rounds. Each round starts with one police matter and one for 12345,
 * so the first two calls of a demo already show both paths (dispatch, hand-over).
 */
export class MatterDeck {
  private round: Matter[] = [];

  constructor(private readonly random: Random, private readonly matters: readonly Matter[] = MATTERS) {}

  next(): Matter {
    if (this.round.length === 0) this.round = this.deal();
    return this.round.shift()!;
  }

  private deal(): Matter[] {
    const shuffled = [...this.matters];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const first = [shuffled.find((m) => m.police), shuffled.find((m) => !m.police)].filter((m): m is Matter => m !== undefined);
    return [...first, ...shuffled.filter((m) => !first.includes(m))];
  }
}

export interface PlannedCall {
  number: string;
  lon: number;
  lat: number;
  /** The handset's uncertainty, metres (GPS outdoors: tens of metres). */
  radiusM: number;
  matter: Matter;
  /** How long the caller stays on after the answer, seconds: long enough for the whole script. */
  holdS: number;
}

export function planCall(grid: Grid, deck: MatterDeck, random: Random, pace: number): PlannedCall {
  const matter = deck.next();
  // Police: talk, dispatch, the officer joins, the call-taker leaves, caller and officer talk.
  // 12345: talk, hand-over, the call-taker leaves, caller and 12345 talk. See call-taker.ts.
  const holdS = Math.max(8, Math.round((matter.police ? 50 : 36) * pace + random() * 10 * pace));
  return { number: mobileNumber(random), ...pointInGrid(grid, random), radiusM: 10 + Math.floor(random() * 60), matter, holdS };
}
