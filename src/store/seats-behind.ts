// Seat states and events written through the write-behind that takes the incidents' writes: a
// seat changes state three or four times per call, and each change was two statements of its own
// on the shared connection (issue #15); now they go into the call's own batched transaction, in
// order, retried while the store fails (they were dropped before). Reads wait for what is queued.
import { SeatsRepo, type SeatEventRow, type SeatRow } from './seats-repo';
import type { Database } from './database';

export interface WriteBehindQueue {
  push(what: string, run: (db: Database) => Promise<void>): void;
  /** Resolves true once everything pushed so far is stored, false after timeoutMs. */
  settled(timeoutMs: number): Promise<boolean>;
}

/** How long a read of the seat events waits for queued writes (a dead store: it reads what is there). */
const READ_WAIT_MS = 1000;

export class SeatsBehind {
  constructor(
    private readonly repo: SeatsRepo,
    private readonly writes: WriteBehindQueue,
  ) {}

  all(): Promise<SeatRow[]> {
    return this.repo.all();
  }

  async save(seat: SeatRow): Promise<void> {
    this.writes.push('seat state', (db) => new SeatsRepo(db).save(seat));
  }

  async addEvent(seatId: string, kind: string, detail: Record<string, unknown>, at = Date.now()): Promise<void> {
    this.writes.push('seat event', (db) => new SeatsRepo(db).addEvent(seatId, kind, detail, at));
  }

  async events(limit: number): Promise<SeatEventRow[]> {
    await this.writes.settled(READ_WAIT_MS);
    return this.repo.events(limit);
  }
}
