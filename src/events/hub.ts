// The live stream's source: listens to seats, incidents and the queue, turns what happens into
// LiveMessages and hands each subscriber what its role may see. No transport here (http/ has
// the WebSocket); subscribers are plain callbacks, so this is unit-testable.
import type { Logger } from 'pino';
import type { IncidentRow, Incidents, IncidentsEvents } from '../incidents/incidents';
import type { Seat, Seats } from '../queue/seats';
import { liveFigures, type QueueSnapshot } from '../stats/snapshot';
import type { SignedIn } from '../auth/roles';
import type { Faults } from './faults';
import type { Alert, CallView, LiveMessage, SeatView } from './messages';
import type { StoreStatus } from '../incidents/incident-writer';

/** The incidents' store writer as the hub hears it (incidents/incident-writer.ts). */
export interface StoreEvents {
  on(event: 'failing', listener: (status: StoreStatus) => void): unknown;
  on(event: 'recovered', listener: (status: StoreStatus & { downMs: number }) => void): unknown;
}

export interface Subscriber {
  /** undefined: sign-in is off, everything is shown. */
  user: SignedIn | undefined;
  send(message: LiveMessage): void;
}

export interface HubSettings {
  /** Categories that raise a major-incident alert when a call is classified so. */
  majorCategories: readonly string[];
  /** How often the queue figures are compared with the last ones sent (only changes are sent). */
  tickMs: number;
}

const seatView = (s: Seat): SeatView => ({ id: s.id, state: s.state, reason: s.reason, since: s.since, reachable: s.reachable });
const callView = (r: IncidentRow): CallView => ({ number: r.number, callerNumber: r.callerNumber, arrivedAt: r.arrivedAt, answeredAt: r.answeredAt, seatId: r.seatId, state: r.state });
type Stamp = IncidentsEvents['stamped'][0];

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private lastQueue = '';
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sources: { seats: Seats; incidents: Incidents; queue: () => QueueSnapshot; faults?: Faults; store?: StoreEvents },
    private readonly settings: HubSettings,
    private readonly log: Logger,
  ) {
    sources.seats.on('changed', (seat) => {
      this.publish({ type: 'seat', seat: seatView(seat) });
      this.queueChanged();
    });
    // Timeline rows are looked up in order, one at a time, so screens see steps in the order made.
    sources.incidents.on('stamped', (stamp) => {
      // Nobody watching: no row to read back for a screen (a read per timeline step, ~10 per call).
      if (this.subscribers.size === 0) return;
      this.chain = this.chain.then(() => this.stamped(stamp)).catch((err: Error) => this.log.error({ err: err.message, incidentId: stamp.incidentId }, 'live event lost'));
    });
    // Supervisors learn that something went wrong even though no call shows it (yet).
    sources.faults?.on('fault', (f) => this.publish({ type: 'alert', alert: { kind: 'service_error', at: f.at, incident: null, seat: null, message: `service error in ${f.where}: ${f.message}` } }));
    // Supervisors must know at once: calls go on, but incidents live only in memory meanwhile.
    sources.store?.on('failing', (s) => this.storeAlert('store_failing', `store failing (${s.error ?? 'no answer'}): calls go on, ${s.queued} incident writes kept in memory and retried`));
    sources.store?.on('recovered', (s) => this.storeAlert('store_recovered', `store writes succeed again after ${Math.round(s.downMs / 1000)} s; ${s.queued} writes still to catch up`));
    // Waiting calls come and go with timeline steps; the tick catches any that does not stamp.
    this.timer = setInterval(() => this.queueChanged(), settings.tickMs);
    this.timer.unref();
  }

  subscribe(sub: Subscriber): () => void {
    this.subscribers.add(sub);
    sub.send({ type: 'hello', user: sub.user ?? null });
    sub.send(this.queueMessage());
    for (const seat of this.sources.seats.all()) sub.send({ type: 'seat', seat: seatView(seat) });
    return () => this.subscribers.delete(sub);
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscribers.clear();
  }

  private queueMessage(): LiveMessage {
    const snapshot = this.sources.queue();
    const oldest = snapshot.waiting.reduce<number | null>((m, c) => (m === null ? c.arrivedAt : Math.min(m, c.arrivedAt)), null);
    return { type: 'queue', oldestArrivedAt: oldest, ...liveFigures(snapshot, Date.now()) };
  }

  private queueChanged(): void {
    if (this.subscribers.size === 0) return; // a new screen gets the queue as it is when it subscribes
    const msg = this.queueMessage();
    if (msg.type !== 'queue') return;
    const key = JSON.stringify([msg.waiting, msg.oldestArrivedAt, msg.seats]);
    if (key === this.lastQueue) return;
    this.lastQueue = key;
    this.publish(msg);
  }

  private async stamped(stamp: Stamp): Promise<void> {
    const row = await this.sources.incidents.findById(stamp.incidentId);
    if (!row) return;
    this.publish({ type: 'incident', incident: callView(row), kind: stamp.kind, detail: stamp.detail, at: stamp.at });
    const alert = this.alertFor(stamp, row);
    if (alert) this.publish({ type: 'alert', alert });
    this.queueChanged();
  }

  private alertFor(stamp: Stamp, row: IncidentRow): Alert | undefined {
    const base = { at: stamp.at, incident: row.number, seat: row.seatId };
    if (stamp.kind === 'classified' && typeof stamp.detail.category === 'string' && this.settings.majorCategories.includes(stamp.detail.category)) {
      return { ...base, kind: 'major_incident', message: `major incident ${row.number}: ${stamp.detail.category}` };
    }
    if (stamp.kind === 'interpreter_exhausted') return { ...base, kind: 'no_interpreter', message: `no ${String(stamp.detail.language)} interpreter answered for ${row.number}: keep the caller` };
    if (stamp.kind === 'dispatch_exhausted') return { ...base, kind: 'no_officer', message: `no officer or duty line answered for ${row.number}` };
    // A call without its recording of record: a supervisor must know while the call is still on.
    if (stamp.kind === 'recording_failed') return { ...base, kind: 'recording_failed', message: `RECORDING DID NOT START for ${row.number}: ${String(stamp.detail.error)}` };
    if (stamp.kind === 'abandoned') return { ...base, kind: 'abandoned', message: `caller ${row.callerNumber} hung up after ${Math.round(Number(stamp.detail.waitMs) / 1000)} s waiting (${row.number})` };
    return undefined;
  }

  private storeAlert(kind: 'store_failing' | 'store_recovered', message: string): void {
    this.publish({ type: 'alert', alert: { kind, at: Date.now(), incident: null, seat: null, message } });
  }

  private publish(msg: LiveMessage): void {
    for (const sub of this.subscribers) {
      if (!maySee(sub.user, msg)) continue;
      try {
        sub.send(msg);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'live subscriber failed: dropped');
        this.subscribers.delete(sub);
      }
    }
  }
}

/** Call-takers see the queue, seat states, their own calls and the alerts about them. */
export function maySee(user: SignedIn | undefined, msg: LiveMessage): boolean {
  if (!user || user.role === 'supervisor' || user.role === 'admin') return true;
  // An officer's terminal is refused the stream (http/routes/events.ts); were it let in, nothing.
  if (user.role !== 'call-taker') return false;
  if (msg.type === 'incident') return msg.incident.seatId !== null && msg.incident.seatId === user.seat;
  if (msg.type === 'alert') return msg.alert.seat !== null && msg.alert.seat === user.seat;
  return true;
}
