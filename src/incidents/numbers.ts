// Incident ids and numbers (YYYYMMDD-NNNNNN, per-day sequence), allocated in memory: a call gets
// its number at StasisStart without waiting for the disk (issue #14 H3). The store keeps a
// reservation ahead of the numbers handed out (written behind, before the incidents that use
// them), so that a restart after a crash continues after every number a screen may have shown;
// a clean shutdown gives the unused rest back. Today's first block is reserved at start, before any call. Only a crash after the store failed for more than
// half a block of calls (the store's /health and alert say so meanwhile) can hand a number out twice.
// Ids need no reservation: nothing in the store refers to an incident row that was never written.
import { dayOf } from '../store/incidents-repo';

/** How many numbers are reserved ahead; topped up when half is used. */
export const NUMBER_BLOCK = 20;

export interface NumberingStart {
  maxId: number;
  /** last: the stored sequence; reserved: up to where the store already holds a reservation. */
  days: { day: string; last: number; reserved?: number }[];
}

interface Day {
  /** The last number handed out. */
  used: number;
  /** The last number reserved in the store (or queued to be). */
  reserved: number;
}

export class IncidentNumbers {
  private lastId: number;
  private readonly days = new Map<string, Day>();

  constructor(
    start: NumberingStart,
    /** Persists "numbers up to `last` of `day` may be in use"; called before the number is used. */
    private readonly reserve: (day: string, last: number) => void,
    private readonly block = NUMBER_BLOCK,
  ) {
    this.lastId = start.maxId;
    for (const { day, last, reserved } of start.days) this.days.set(day, { used: last, reserved: reserved ?? last });
  }

  knows(day: string): boolean {
    return this.days.has(day);
  }

  /** A day not loaded at start (a fallback call imported days later): its sequence as stored. */
  addDay(day: string, last: number): void {
    if (!this.days.has(day)) this.days.set(day, { used: last, reserved: last });
  }

  next(at: number): { id: number; number: string } {
    const day = dayOf(at);
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = { used: 0, reserved: 0 }));
    d.used += 1;
    if (d.reserved - d.used < this.block / 2) {
      d.reserved = d.used + this.block;
      this.reserve(day, d.reserved);
    }
    this.lastId += 1;
    return { id: this.lastId, number: `${day}-${String(d.used).padStart(6, '0')}` };
  }

  /** The last number actually handed out, per day (what a clean shutdown leaves reserved). */
  used(): { day: string; last: number }[] {
    return [...this.days].map(([day, d]) => ({ day, last: d.used }));
  }
}
