import t from 'tap';
import { nearestRank, serviceLevel, type CallTiming, type Delivery } from '../../../src/stats/service-level';

const T0 = 1_700_000_000_000;
const answered = (ms: number, delivery: Delivery | null): CallTiming => ({ arrivedAt: T0, answeredAt: T0 + ms, abandonedAt: null, delivery });
const abandoned = (ms: number, delivery: Delivery | null): CallTiming => ({ arrivedAt: T0, answeredAt: null, abandonedAt: T0 + ms, delivery });
const waiting: CallTiming = { arrivedAt: T0, answeredAt: null, abandonedAt: null, delivery: null };

const EMPTY = {
  offered: 0,
  answered: 0,
  abandoned: 0,
  answeredWithin3sPct: null,
  within15sPct: null,
  within20sPct: null,
  avgAnswerMs: null,
  p50AnswerMs: null,
  p90AnswerMs: null,
  p99AnswerMs: null,
};

t.test('no calls: every ratio and time is null, never NaN', async (t) => {
  t.same(serviceLevel([]), { ...EMPTY, byDelivery: { ring: EMPTY, nailed: EMPTY } });
});

t.test('only waiting calls: offered, but nothing has ended waiting yet', async (t) => {
  const level = serviceLevel([waiting, waiting]);
  t.equal(level.offered, 2);
  t.equal(level.answeredWithin3sPct, null);
  t.equal(level.p90AnswerMs, null);
});

t.test('all abandoned: 0 % within target (abandoned count against it), no answer times', async (t) => {
  const level = serviceLevel([abandoned(1_000, null), abandoned(40_000, null), abandoned(2_000, 'ring'), waiting]);
  t.match(level, {
    offered: 4,
    answered: 0,
    abandoned: 3,
    answeredWithin3sPct: 0,
    within15sPct: 0,
    within20sPct: 0,
    avgAnswerMs: null,
    p50AnswerMs: null,
    p90AnswerMs: null,
    p99AnswerMs: null,
  });
  t.same(level.byDelivery.ring, { ...EMPTY, offered: 1, abandoned: 1, answeredWithin3sPct: 0, within15sPct: 0, within20sPct: 0 });
  t.same(level.byDelivery.nailed, EMPTY);
});

t.test('0 ms answers (nailed-up seat) are answers within every target', async (t) => {
  t.same(serviceLevel([answered(0, 'nailed'), answered(0, 'nailed')]).byDelivery.nailed, {
    offered: 2,
    answered: 2,
    abandoned: 0,
    answeredWithin3sPct: 100,
    within15sPct: 100,
    within20sPct: 100,
    avgAnswerMs: 0,
    p50AnswerMs: 0,
    p90AnswerMs: 0,
    p99AnswerMs: 0,
  });
});

t.test('a mixed day, computed by hand', async (t) => {
  const calls = [
    answered(1_000, 'ring'),
    answered(3_000, 'ring'), //   exactly 3 s: within (inclusive)
    answered(3_001, 'ring'), //   1 ms late
    answered(15_000, 'ring'),
    abandoned(9_000, 'ring'), //  rang at a ring seat, caller gave up
    answered(0, 'nailed'),
    answered(500, 'nailed'),
    answered(20_000, 'nailed'),
    answered(25_000, 'nailed'),
    abandoned(4_000, null), //    gave up in the queue before any seat was offered it
    waiting, //                   still waiting: offered only
  ];
  const level = serviceLevel(calls);
  // answered, sorted: 0 500 1000 3000 3001 15000 20000 25000; ended = 8 answered + 2 abandoned = 10
  t.match(level, {
    offered: 11,
    answered: 8,
    abandoned: 2,
    answeredWithin3sPct: 40, //  0 500 1000 3000 → 4/10
    within15sPct: 60, //         + 3001 15000 → 6/10
    within20sPct: 70, //         + 20000 → 7/10
    avgAnswerMs: 8438, //        67501 / 8 = 8437.625
    p50AnswerMs: 3000, //        rank ceil(0.5 × 8) = 4
    p90AnswerMs: 25000, //       rank ceil(7.2) = 8
    p99AnswerMs: 25000,
  });
  t.same(level.byDelivery.ring, {
    offered: 5,
    answered: 4,
    abandoned: 1,
    answeredWithin3sPct: 40, // 1000 3000 → 2/5
    within15sPct: 80,
    within20sPct: 80,
    avgAnswerMs: 5500, //       22001 / 4 = 5500.25
    p50AnswerMs: 3000, //       rank 2 of 1000 3000 3001 15000
    p90AnswerMs: 15000, //      rank ceil(3.6) = 4
    p99AnswerMs: 15000,
  });
  t.same(level.byDelivery.nailed, {
    offered: 4,
    answered: 4,
    abandoned: 0,
    answeredWithin3sPct: 50,
    within15sPct: 50,
    within20sPct: 75,
    avgAnswerMs: 11375, //      45500 / 4
    p50AnswerMs: 500,
    p90AnswerMs: 25000,
    p99AnswerMs: 25000,
  });
});

t.test('percent of a non-round share is the plain quotient', async (t) => {
  const level = serviceLevel([answered(100, 'ring'), answered(200, 'ring'), abandoned(100, 'ring')]);
  t.equal(level.answeredWithin3sPct, 200 / 3);
  t.equal(level.avgAnswerMs, 150);
});

t.test('answered wins over abandoned; a clock step back reads as a 0 ms wait', async (t) => {
  const both: CallTiming = { arrivedAt: T0, answeredAt: T0 + 2_000, abandonedAt: T0 + 60_000, delivery: 'ring' };
  const backwards: CallTiming = { arrivedAt: T0, answeredAt: T0 - 50, abandonedAt: null, delivery: 'ring' };
  t.match(serviceLevel([both, backwards]), { answered: 2, abandoned: 0, p50AnswerMs: 0, p99AnswerMs: 2_000, avgAnswerMs: 1_000 });
});

t.test('nearest-rank percentiles', async (t) => {
  const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  t.equal(nearestRank(ten, 50), 50);
  t.equal(nearestRank(ten, 90), 90);
  t.equal(nearestRank(ten, 91), 100);
  t.equal(nearestRank(ten, 99), 100);
  t.equal(nearestRank(ten, 100), 100);
  t.equal(nearestRank(ten, 0), 10);
  t.equal(nearestRank([7], 1), 7);
  t.equal(nearestRank([7], 99), 7);
  t.equal(nearestRank([], 90), null);
});
