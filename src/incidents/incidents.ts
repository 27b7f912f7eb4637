// Incidents: numbering and the timeline every step of a call is stamped on. Writes are
// acknowledged in memory and written behind (incident-writer.ts): no step of a call waits for
// the store, and a store that fails loses nothing (issue #14 H3). Reads see what is not written yet.
import { EventEmitter } from 'node:events';
import { dayOf, type AbandonedRow, type IncidentRow, type IncidentsRepo, type NewIncident, type TimelineRow } from '../store/incidents-repo';
import { IncidentWriter } from './incident-writer';
import { IncidentNumbers, NUMBER_BLOCK } from './numbers';
import type { TimelineKind } from './timeline-kinds';

export type { AbandonedRow, IncidentRow, TimelineRow };

export type { TimelineKind };

export class IncidentNotFound extends Error {
  readonly code = 'INCIDENT_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(number: string) {
    super(`incident ${number} not found`);
  }
}

export type IncidentsWriter = IncidentWriter<IncidentsRepo>;

/** How long a read waits for the incident's writes in flight (read-your-writes while the store is up). */
const READ_WAIT_MS = 1500;
/** How long a classification waits for its write before it is answered (kept and written later if longer). */
const CLASSIFY_WAIT_MS = 3000;
const DAY_MS = 86_400_000;

export interface IncidentsEvents {
  /** A timeline row is in the store: live screens follow the call from here (src/events/). */
  stamped: [{ incidentId: number; kind: TimelineKind; detail: Record<string, unknown>; at: number }];
}

export class Incidents extends EventEmitter<IncidentsEvents> {
  readonly writer: IncidentsWriter;
  private numbers: IncidentNumbers | undefined;
  private starting: Promise<void> | undefined;
  /** Incidents numbered in memory whose row is not in the store yet, by id. */
  private readonly unwritten = new Map<number, IncidentRow>();

  constructor(
    private readonly repo: IncidentsRepo,
    writer?: IncidentsWriter,
  ) {
    super();
    // Without a writer of its own (unit tests), batches go through the repository's connection.
    this.writer = writer ?? new IncidentWriter(repo.writeStore());
  }

  /** Loads where ids and numbers go on (yesterday's too: a call may have arrived before midnight). */
  start(now = Date.now()): Promise<void> {
    return (this.starting ??= (async () => {
      const from = await this.repo.numbering(dayOf(now - DAY_MS));
      // Today's first block reserved before any call: a crash right after start (its reservation
      // not written behind yet) must not hand the same numbers out again.
      const today = dayOf(now);
      const last = from.days.find((d) => d.day === today)?.last ?? 0;
      await this.repo.reserveNumbers(today, last + NUMBER_BLOCK);
      const days = [...from.days.filter((d) => d.day !== today), { day: today, last, reserved: last + NUMBER_BLOCK }];
      this.numbers = new IncidentNumbers({ maxId: from.maxId, days }, (day, upTo) => this.writer.push(null, 'reserve numbers', (tx) => tx.reserveNumbers(day, upTo)));
    })());
  }

  /** At shutdown: the unused reserved numbers back, then what is left written (or counted lost). */
  stop(timeoutMs: number): Promise<number> {
    for (const { day, last } of this.numbers?.used() ?? []) this.writer.push(null, 'release numbers', (tx) => tx.releaseNumbers(day, last));
    return this.writer.stop(timeoutMs);
  }

  /** A caller's call: numbered at once, its row written behind; the call never waits for the store. */
  arrive(call: NewIncident & { caseRef?: string }): IncidentRow {
    if (!this.numbers) throw new Error('Incidents.start() was not awaited');
    const { id, number } = this.numbers.next(call.arrivedAt);
    const { caseRef, ...fields } = call;
    const row: IncidentRow = { id, number, ...fields, caseRef: caseRef ?? null, endedAt: null, offeredAt: null, answeredAt: null, abandonedAt: null, seatId: null, delivery: null, seatChannelId: null, bridgeId: null, police: null, category: null, summary: null };
    this.unwritten.set(id, row);
    this.writer.push(id, 'incident', (tx) => tx.insert({ ...fields, id, number, caseRef: row.caseRef }), { after: () => this.unwritten.delete(id) });
    return row;
  }

  /** As arrive(), once the row is in the store (a recording row will refer to it at once). */
  async open(call: NewIncident): Promise<IncidentRow> {
    await this.start();
    // A fallback call may be days old (imported after an outage): that day's sequence from disk.
    const day = dayOf(call.arrivedAt);
    if (!this.numbers!.knows(day)) this.numbers!.addDay(day, await this.repo.lastNumber(day));
    const row = this.arrive(call);
    const stored = await new Promise<boolean>((resolve) => this.writer.push(row.id, 'opened', () => Promise.resolve(), { after: resolve }));
    if (!stored || !(await this.repo.findById(row.id))) throw new Error(`incident ${row.number} could not be stored`);
    return row;
  }

  /** Resolves once every write made so far for the incident is in the store. */
  /** As written(), but gives up after timeoutMs (false): for answers that must not wait on a dead store. */
  settled(incidentId: number, timeoutMs = CLASSIFY_WAIT_MS): Promise<boolean> {
    return this.writer.settled(incidentId, timeoutMs);
  }

  written(incidentId: number): Promise<void> {
    return this.writer.written(incidentId);
  }

  /** Every timeline row goes through here, so that every step is also announced (once stored). */
  private add(incidentId: number, kind: TimelineKind, detail: Record<string, unknown> = {}, at = Date.now(), also?: (tx: IncidentsRepo) => Promise<void>): Promise<void> {
    const run = async (tx: IncidentsRepo) => {
      await also?.(tx);
      await tx.addEvent(incidentId, kind, detail, at);
    };
    this.writer.push(incidentId, kind, run, { detail: { at, kind, detail } satisfies TimelineRow, after: (stored) => stored && this.emit('stamped', { incidentId, kind, detail, at }) });
    return Promise.resolve();
  }

  async findById(id: number): Promise<IncidentRow | undefined> {
    return this.unwritten.get(id) ?? (await this.repo.findById(id));
  }

  async classify(number: string, c: { police: boolean; category: string | null; summary: string | null }): Promise<IncidentRow> {
    const row = await this.findByNumber(number);
    await this.add(row.id, 'classified', { police: c.police, category: c.category }, Date.now(), (tx) => tx.classify(row.id, c));
    // A call-taker's act, answered over REST and read back at once by what it decides (special
    // routing, the alert list): it waits for its write while the store answers, never longer.
    await this.writer.settled(row.id, CLASSIFY_WAIT_MS);
    return { ...row, police: c.police ? 1 : 0, category: c.category, summary: c.summary };
  }

  setCaseRef(incidentId: number, caseRef: string): Promise<void> {
    this.writer.push(incidentId, 'case ref', (tx) => tx.setCaseRef(incidentId, caseRef));
    return Promise.resolve();
  }

  offered(incidentId: number, at: number, detail: Record<string, unknown>): Promise<void> {
    return this.add(incidentId, 'offered', detail, at, (tx) => tx.markOffered(incidentId, at));
  }

  answered(incidentId: number, answer: { at: number; seatId: string | null; delivery: string; seatChannelId: string; bridgeId: string; answerMs: number }): Promise<void> {
    return this.add(incidentId, 'answered', { seat: answer.seatId, delivery: answer.delivery, answerMs: answer.answerMs }, answer.at, (tx) => tx.markAnswered(incidentId, answer));
  }

  abandoned(incidentId: number, at: number, waitMs: number, position: number): Promise<void> {
    return this.add(incidentId, 'abandoned', { waitMs, position }, at, (tx) => tx.markAbandoned(incidentId, at, waitMs, position));
  }

  callback(incidentId: number, seatId: string, result: string, detail: Record<string, unknown> = {}): Promise<void> {
    const at = Date.now();
    return this.add(incidentId, 'callback', { seat: seatId, result, ...detail }, at, (tx) => tx.markCallback(incidentId, at, seatId, result));
  }

  async listAbandoned(limit: number, onlyWithoutCallback: boolean): Promise<AbandonedRow[]> {
    await this.writer.settled(null, READ_WAIT_MS);
    return this.repo.listAbandoned(limit, onlyWithoutCallback);
  }

  async findByNumber(number: string): Promise<IncidentRow> {
    const row = [...this.unwritten.values()].find((r) => r.number === number) ?? (await this.repo.findByNumber(number));
    if (!row) throw new IncidentNotFound(number);
    return row;
  }

  stamp(incidentId: number, kind: TimelineKind, detail: Record<string, unknown> = {}, at = Date.now()): Promise<void> {
    return this.add(incidentId, kind, detail, at);
  }

  moved(incidentId: number, from: string, to: string, cause: string): Promise<void> {
    return this.add(incidentId, 'state', { from, to, cause }, Date.now(), (tx) => tx.setState(incidentId, to));
  }

  end(incidentId: number, at: number, detail: Record<string, unknown>): Promise<void> {
    return this.add(incidentId, 'ended', detail, at, (tx) => tx.markEnded(incidentId, at));
  }

  async findByChannel(channelId: string): Promise<IncidentRow | undefined> {
    return [...this.unwritten.values()].find((r) => r.channelId === channelId) ?? (await this.repo.findByChannel(channelId));
  }

  listOpen(): Promise<IncidentRow[]> {
    return this.repo.listOpen();
  }

  /** The stored incident and timeline, with the steps not written yet after them. */
  async get(number: string): Promise<IncidentRow & { timeline: TimelineRow[] }> {
    const known = await this.findByNumber(number);
    await this.writer.settled(known.id, READ_WAIT_MS);
    const row = await this.repo.findByNumber(number);
    const stored = row ? await this.repo.timeline(row.id) : [];
    // Taken after the read: a step not written now was not written then either (no duplicate).
    const pending = this.writer.unwritten(known.id) as TimelineRow[];
    return { ...(row ?? known), timeline: [...stored, ...pending] };
  }

  /** Newest first; the first page also lists incidents not in the store yet. */
  async list(limit: number, beforeId?: number): Promise<IncidentRow[]> {
    await this.writer.settled(null, READ_WAIT_MS);
    const stored = await this.repo.list(limit, beforeId);
    const fresh = beforeId === undefined ? [...this.unwritten.values()].reverse() : [];
    return [...fresh, ...stored.filter((r) => !this.unwritten.has(r.id))].slice(0, limit);
  }
}
