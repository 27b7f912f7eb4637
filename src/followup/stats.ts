// Follow-up statistics over a period: per call-taker (seat), per unit and per day, counts and
// mean scores. Pure over the finished follow-ups (store: FollowUpsRepo.finishedBetween).
import { QUESTIONS } from './channel';

export interface FinishedFollowUp {
  state: string;
  seatId: string | null;
  unitId: string | null;
  finishedAt: number | null;
  speed: number | null;
  attitude: number | null;
  efficiency: number | null;
}

export interface FollowUpFigures {
  key: string;
  /** Follow-ups finished: answered + not reached. */
  asked: number;
  answered: number;
  notReached: number;
  /** Answered with a score of 2 or less on some question. */
  unsatisfied: number;
  /** Means over the answers given (a question left unanswered does not count); null: none. */
  meanSpeed: number | null;
  meanAttitude: number | null;
  meanEfficiency: number | null;
}

export interface FollowUpStats {
  from: number;
  to: number;
  total: FollowUpFigures;
  bySeat: FollowUpFigures[];
  byUnit: FollowUpFigures[];
  byDay: FollowUpFigures[];
}

/** YYYY-MM-DD, local time of the centre. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const mean = (xs: number[]): number | null => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100 : null);

function figures(key: string, rows: FinishedFollowUp[]): FollowUpFigures {
  const answered = rows.filter((r) => r.state === 'answered');
  const scores = (q: (typeof QUESTIONS)[number]) => answered.map((r) => r[q]).filter((s): s is number => s !== null);
  return {
    key,
    asked: rows.length,
    answered: answered.length,
    notReached: rows.filter((r) => r.state === 'not_reached').length,
    unsatisfied: answered.filter((r) => QUESTIONS.some((q) => r[q] !== null && r[q] <= 2)).length,
    meanSpeed: mean(scores('speed')),
    meanAttitude: mean(scores('attitude')),
    meanEfficiency: mean(scores('efficiency')),
  };
}

function grouped(rows: FinishedFollowUp[], keyOf: (r: FinishedFollowUp) => string): FollowUpFigures[] {
  const groups = new Map<string, FinishedFollowUp[]>();
  for (const r of rows) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, rs]) => figures(key, rs));
}

/** Keys '-' for follow-ups without a seat (e.g. a fallback call) or without a unit (never dispatched). */
export function followUpStats(rows: FinishedFollowUp[], period: { from: number; to: number }): FollowUpStats {
  return {
    ...period,
    total: figures('all', rows),
    bySeat: grouped(rows, (r) => r.seatId ?? '-'),
    byUnit: grouped(rows, (r) => r.unitId ?? '-'),
    byDay: grouped(rows, (r) => localDay(r.finishedAt ?? 0)),
  };
}
