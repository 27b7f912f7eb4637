// How much load each phase gets. Full: the figures the README quotes (~15 min on 2 cores).
// Quick: the same phases with small counts (~2 min), run by test/e2e/bench-smoke.test.ts so the
// benchmark cannot rot.
export interface Plan {
  /** Ringing seats: 100 ready for latency and burst; all of them for the capacity ramp. */
  ringSeats: number;
  /** Nailed seats for cti110, and as many AgentLogin() agents for the baseline. */
  permanentSeats: number;
  /** The one SIPp answering for all seats answers after this (an auto-answer softphone). */
  seatAnswerMs: number;
  steady: { rate: number; seconds: number }[];
  holdMs: number;
  /** Concurrent calls per capacity step, placed at capacityRate, all up for plateauMs. */
  capacity: number[];
  capacityRate: number;
  plateauMs: number;
  burst: { rate: number; seconds: number; holdMs: number };
  /** More calls than the seats can take: the queue grows, then drains (answer order, idle seats). */
  overload: { rate: number; seconds: number; seats: number; holdMs: number };
  /** Few calls, slower than the seats can take them: a seat is always free. */
  permanent: { calls: number; rate: number; holdMs: number };
  repeat: boolean;
  /** Asterisk RTP ports: 2 per call leg, 2 legs per call (a caller waiting in overload: 1 leg). */
  rtpPorts: number;
}

/**
 * --soak: a centre's load for a long time (leaks, growth). 3.5 calls/s held a minute would need
 * 210 seats busy (Little's law) and 100 seats would queue without end, so the hold is varied
 * around 24 s instead (84 seats busy on average: some calls wait, a share abandon).
 */
export const SOAK = {
  rate: 3.5,
  seats: 100,
  holdMinMs: 12000,
  holdMaxMs: 36000,
  /** Callers who hang up 1 s after their INVITE (their seat, if rung, rings longer than that). */
  abandonShare: 0.05,
  /** An officer conference and a 12345 hand-over on a call in progress, this often. */
  extrasEveryMs: 60000,
  sampleEveryMs: 60000,
};

export function planFor(quick: boolean): Plan {
  if (quick) {
    return {
      ringSeats: 100,
      permanentSeats: 3,
      seatAnswerMs: 100,
      steady: [{ rate: 5, seconds: 2 }, { rate: 20, seconds: 1 }],
      holdMs: 1000,
      capacity: [10, 20],
      capacityRate: 10,
      plateauMs: 2000,
      burst: { rate: 35, seconds: 1, holdMs: 1000 },
      overload: { rate: 35, seconds: 1, seats: 5, holdMs: 1000 },
      permanent: { calls: 4, rate: 2, holdMs: 1000 },
      repeat: false,
      rtpPorts: 600,
    };
  }
  return {
    ringSeats: 200,
    permanentSeats: 10,
    seatAnswerMs: 100,
    steady: [{ rate: 5, seconds: 40 }, { rate: 10, seconds: 30 }, { rate: 20, seconds: 30 }],
    holdMs: 3000,
    capacity: [40, 80, 120, 160, 200],
    capacityRate: 20,
    plateauMs: 10000,
    burst: { rate: 35, seconds: 30, holdMs: 2000 },
    overload: { rate: 35, seconds: 30, seats: 20, holdMs: 2000 },
    permanent: { calls: 60, rate: 2, holdMs: 2000 },
    repeat: true,
    rtpPorts: 2000,
  };
}
