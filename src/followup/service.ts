// Follow-ups (回访) of closed incidents: scheduled when an incident closes (every major category,
// others by share), rung when due (never in quiet hours), retried when nobody answers, results
// on the incident's timeline (and so in the audit chain: audit/timeline-audit.ts), and a score of
// 2 or less pushed to the incident's unit through the durable outbox for it to verify. The rows
// are in the store: a restart finds every scheduled follow-up, and rings again any it was calling.
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import type { Outbox } from '../outbox/outbox';
import type { FollowUpRow, FollowUpsRepo } from '../store/followups-repo';
import { unsatisfied, type Answers, type FollowUpChannel } from './channel';
import { followUpNotFound, FollowUpError } from './errors';
import { DIALLABLE, followUpReason, notDuringQuietHours, type QuietHours } from './plan';
import { TEXT_TRUNK } from '../texts/text-inbox';
import { afterNoAnswer, move, type FollowUpEvent, type FollowUpState } from './state';

/** How far back a start looks for closed incidents that were never scheduled: a day. */
const CATCH_UP_MS = 86_400_000;

export interface FollowUpSettings {
  /** After the close, before the first call. */
  delayMs: number;
  quietHours: QuietHours;
  /** Percent of the incidents not in a major category that are followed up (0-100). */
  sharePct: number;
  majorCategories: readonly string[];
  /** Attempts after the first one that reached nobody, each retryGapMs after the last. */
  retries: number;
  retryGapMs: number;
  /** Follow-up calls at once. */
  maxConcurrent: number;
  /** Longest sleep of the scheduler (a backstop: a new follow-up wakes it). */
  pollMs: number;
}

export interface FollowUpDeps {
  repo: FollowUpsRepo;
  incidents: Pick<Incidents, 'findById' | 'stamp' | 'on'>;
  /** The unit that handled the incident (dispatch), for statistics and the verification push. */
  unitOf(incidentId: number): Promise<string | null>;
  /** The channels by name (channel.ts): 'voice', and 'sms' once the SMS gateway plugs in. */
  channels: Record<string, FollowUpChannel>;
  /** The channel of a call's follow-up (config followUp.channel); a text report's is 'sms'. */
  defaultChannel: string;
  outbox: Pick<Outbox, 'enqueue'>;
  /** unit id → its system's URL (config dispatch.unitWebhooks). */
  unitWebhooks: Record<string, string>;
  clock?: () => number;
  log: Logger;
}

export class FollowUpService {
  private readonly now: () => number;
  private calling = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Set by stop(): an attempt that ends now is left 'calling', for the next start to ring again. */
  private stopping = false;
  private ticking: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: FollowUpDeps,
    private readonly settings: FollowUpSettings,
  ) {
    this.now = deps.clock ?? Date.now;
  }

  /** Listens for closed incidents; picks up what a previous process left; starts ringing what is due. */
  async start(): Promise<void> {
    this.deps.incidents.on('stamped', ({ incidentId, kind, at }) => {
      if (kind === 'incident_closed') this.closed(incidentId, at).catch((err: Error) => this.deps.log.error({ incidentId, err: err.message }, 'follow-up not scheduled'));
    });
    const left = await this.deps.repo.interrupted(this.now());
    if (left) this.deps.log.warn({ count: left }, 'follow-up calls the last process left in progress are rung again');
    // Closed while no process listened (or just before one died): decided now, as they would have been.
    for (const missed of await this.deps.repo.closedWithout(this.now() - CATCH_UP_MS)) await this.closed(missed.incidentId, missed.closedAt);
    this.running = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  /** The incident was closed at `at`: schedule its follow-up if it gets one. Returns its id. */
  async closed(incidentId: number, at: number): Promise<number | undefined> {
    const { log } = this.deps;
    const row = await this.deps.incidents.findById(incidentId);
    if (!row) return undefined;
    const reason = followUpReason(row, this.settings.majorCategories, this.settings.sharePct);
    if (!reason) return undefined;
    // Whoever reported by text may be unable to speak (deaf, hiding): asked by text, never rung.
    const channel = row.trunk === TEXT_TRUNK ? 'sms' : this.deps.defaultChannel;
    if (!this.deps.channels[channel]) {
      log.warn({ incident: row.number, channel }, 'follow-up due but its channel is not available: none scheduled');
      return undefined;
    }
    if (!DIALLABLE.test(row.callerNumber)) {
      log.warn({ incident: row.number, reason }, 'follow-up due but the caller number cannot be called');
      return undefined;
    }
    const dueAt = notDuringQuietHours(at + this.settings.delayMs, this.settings.quietHours);
    const id = await this.deps.repo.insert({ incidentId, channel, reason, number: row.callerNumber, seatId: row.seatId, unitId: await this.deps.unitOf(incidentId), scheduledAt: this.now(), dueAt });
    if (id === undefined) return undefined; // closed twice: one follow-up
    await this.deps.incidents.stamp(incidentId, 'followup_scheduled', { id, reason, channel, dueAt });
    log.info({ incident: row.number, followUp: id, reason, dueAt }, 'follow-up scheduled');
    this.wake();
    return id;
  }

  /** Rings what is due, up to maxConcurrent at once. Exposed for tests on a fake clock. */
  async tick(): Promise<void> {
    const free = this.settings.maxConcurrent - this.calling;
    if (free <= 0) return;
    for (const row of await this.deps.repo.due(this.now(), free)) {
      if (!(await this.deps.repo.claim(row.id))) continue;
      this.calling++;
      const done = this.attempt(row)
        .catch((err: Error) => this.deps.log.error({ followUp: row.id, err: err.message }, 'follow-up attempt failed'))
        .finally(() => {
          this.calling--;
          this.inFlight.delete(done);
          this.wake();
        });
      this.inFlight.add(done);
    }
  }

  /** Resolves when every attempt started so far is over (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  async get(id: number): Promise<FollowUpRow> {
    const row = await this.deps.repo.find(id);
    if (!row) throw followUpNotFound(id);
    return row;
  }

  /** The unit's answer to an unsatisfied follow-up, once; on the incident's timeline. */
  async verify(id: number, v: { answer: string; by: string }): Promise<FollowUpRow> {
    const row = await this.get(id);
    if (row.state !== 'answered' || !unsatisfied(row)) throw new FollowUpError(409, 'NOT_UNSATISFIED', `follow-up ${id} has no score of 2 or less to verify (state ${row.state})`);
    if (!(await this.deps.repo.verify(id, { ...v, at: this.now() }))) throw new FollowUpError(409, 'ALREADY_VERIFIED', `follow-up ${id} was verified already`);
    await this.deps.incidents.stamp(row.incidentId, 'followup_verified', { id, unit: row.unitId, by: v.by, answer: v.answer });
    return this.get(id);
  }

  private wake(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .then(() => this.deps.repo.nextDueAt())
        .then((next) => this.sleep(next === undefined ? this.settings.pollMs : Math.min(this.settings.pollMs, Math.max(0, next - this.now()))))
        .catch((err: Error) => {
          this.deps.log.error({ err: err.message }, 'follow-up scheduler: store error, trying again');
          this.sleep(this.settings.pollMs);
        });
    }, 0);
  }

  private sleep(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), ms);
  }

  private transition(row: FollowUpRow, from: FollowUpState, event: FollowUpEvent): FollowUpState {
    const to = move(from, event);
    this.deps.log.info({ incident: row.incident, followUp: row.id }, `Transition: ${from} -> ${to} (${event})`);
    return to;
  }

  private async attempt(row: FollowUpRow): Promise<void> {
    const { repo, incidents } = this.deps;
    const attempt = row.attempts + 1;
    this.transition(row, 'scheduled', 'due');
    await incidents.stamp(row.incidentId, 'followup_calling', { id: row.id, attempt, channel: row.channel });
    // A channel taken out of the config since it was scheduled: an attempt that reaches nobody.
    const channel = this.deps.channels[row.channel];
    const outcome = !channel ? { reached: false as const, why: `no channel ${row.channel}` } : await channel.ask({ followUpId: row.id, incidentId: row.incidentId, incident: row.incident, number: row.number, attempt });
    if (this.stopping && !outcome.reached) return; // left 'calling': rung again after the restart
    if (outcome.reached) {
      this.transition(row, 'calling', 'reached');
      await repo.answered(row.id, this.now(), outcome.answers);
      await incidents.stamp(row.incidentId, 'followup_answered', { id: row.id, attempt, ...outcome.answers });
      if (unsatisfied(outcome.answers)) await this.pushToUnit(row, outcome.answers);
      return;
    }
    const state = this.transition(row, 'calling', 'unreached');
    const next = afterNoAnswer(attempt, this.settings.retries);
    this.transition(row, state, next);
    if (next === 'retry') {
      const dueAt = notDuringQuietHours(this.now() + this.settings.retryGapMs, this.settings.quietHours);
      await repo.reschedule(row.id, dueAt, outcome.why);
      await incidents.stamp(row.incidentId, 'followup_retry', { id: row.id, attempt, why: outcome.why, dueAt });
    } else {
      await repo.notReached(row.id, this.now(), outcome.why);
      await incidents.stamp(row.incidentId, 'followup_not_reached', { id: row.id, attempts: attempt, why: outcome.why });
    }
  }

  /** A score of 2 or less: the unit that handled the incident is asked to verify it (durable push). */
  private async pushToUnit(row: FollowUpRow, answers: Answers): Promise<void> {
    const url = row.unitId ? this.deps.unitWebhooks[row.unitId] : undefined;
    if (url) {
      const body = { kind: 'follow-up-verification', followUp: row.id, incident: row.incident, unit: row.unitId, callerNumber: row.number, scores: answers, answerAt: `/follow-ups/${row.id}/verification` };
      await this.deps.outbox.enqueue({ kind: 'followup-verification', url, body, key: `followup-${row.id}` });
    } else {
      this.deps.log.warn({ incident: row.incident, unit: row.unitId }, 'unsatisfied follow-up: the unit has no webhook, supervisors must pass it on');
    }
    await this.deps.incidents.stamp(row.incidentId, 'followup_unsatisfied', { id: row.id, unit: row.unitId, pushed: Boolean(url) });
  }
}
