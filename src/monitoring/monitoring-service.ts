// Live monitoring: a supervisor's own phone is rung and, once answered, connected to a live call
// in listen, whisper or barge mode (see modes.ts). The supervisor sits in a small bridge of their
// own with a snoop channel, so the call's bridge and its recording are untouched except in barge.
// Sessions end cleanly (snoop, leg and bridge gone) when the call ends, the supervisor hangs up
// or REST stops them; each is stamped on the incident (who, mode).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LiveChannel, Telephony } from '../asterisk/telephony';
import { BridgeGone, ChannelGone } from '../asterisk/errors';
import type { Incidents } from '../incidents/incidents';
import type { CallInProgress, CallWatcher } from '../calls/call-service';
import { planFor, type MonitorMode } from './modes';
import { startSnoop, type Arrivals } from './arrivals';
import { CallNotLive, MonitoringNotFound, MonitoringState, SupervisorNotFound, SupervisorUnavailable } from './errors';

export interface Supervisor {
  id: string;
  endpoint: string;
}

/** What monitoring needs of the calls area. */
export interface LiveCallLookup {
  callInProgress(incident: string): CallInProgress | undefined;
  incidentAtSeat(seatId: string): string | undefined;
}

export interface MonitoringView {
  id: string;
  incident: string;
  seat: string | null;
  supervisor: string;
  mode: MonitorMode;
  state: 'ringing' | 'connected' | 'ended';
  requestedAt: number;
}

interface Session extends MonitoringView {
  incidentId: number;
  endpoint: string;
  legId: string;
  /** The supervisor's own bridge (leg + snoop); created on answer. */
  bridgeId: string;
  inOwnBridge: boolean;
  snoopId: string | undefined;
  /** Whose channel the snoop listens on: its end says who left. */
  snoopOn: 'caller' | 'taker';
  /** Barge: the call's bridge the leg was added to. */
  bargedInto: string | undefined;
  by: string | null;
  timer: NodeJS.Timeout | undefined;
  lane: Promise<void>;
  log: Logger;
}

export class MonitoringService implements CallWatcher {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly calls: LiveCallLookup,
    private readonly seatExists: (seatId: string) => void,
    private readonly arrivals: Arrivals,
    private readonly settings: { supervisors: Supervisor[]; answerMs: number },
    private readonly log: Logger,
  ) {}

  /** The configured supervisors' phones (for the wallboard's chooser). */
  supervisors(): Supervisor[] {
    return this.settings.supervisors.map((s) => ({ id: s.id, endpoint: s.endpoint }));
  }

  /** Rings the supervisor's phone; the mode is applied once they answer. */
  async start(target: { incident?: string; seat?: string }, mode: MonitorMode, supervisorId: string, by: string | null): Promise<MonitoringView> {
    const supervisor = this.settings.supervisors.find((s) => s.id === supervisorId);
    if (!supervisor) throw new SupervisorNotFound(supervisorId);
    const call = await this.liveCall(target);
    const busy = [...this.sessions.values()].find((s) => s.supervisor === supervisor.id && s.state !== 'ended');
    if (busy) throw new SupervisorUnavailable(supervisor.id, `is already monitoring incident ${busy.incident} (session ${busy.id})`);
    const endpoint = (await this.telephony.listEndpoints()).find((e) => e.endpoint === supervisor.endpoint);
    if (!endpoint?.online) throw new SupervisorUnavailable(supervisor.id, `has no registered phone (${supervisor.endpoint})`);
    const id = randomUUID();
    const s: Session = {
      id,
      incident: call.incident,
      incidentId: call.incidentId,
      seat: call.seatId,
      supervisor: supervisor.id,
      mode,
      state: 'ringing',
      requestedAt: Date.now(),
      endpoint: supervisor.endpoint,
      legId: `cti110-monitor-${id}`,
      bridgeId: `cti110-monitor-${id}`,
      inOwnBridge: false,
      snoopId: undefined,
      snoopOn: 'caller',
      bargedInto: undefined,
      by,
      timer: undefined,
      lane: Promise.resolve(),
      log: this.log.child({ incident: call.incident, supervisor: supervisor.id, session: id }),
    };
    this.sessions.set(id, s);
    s.timer = setTimeout(() => void this.end(s, 'no_answer'), this.settings.answerMs);
    s.log.info({ mode, seat: call.seatId }, 'ringing the supervisor to monitor a call');
    await this.telephony.createChannel({ channelId: s.legId, endpoint: s.endpoint, appArgs: 'monitor', callerId: '110', near: call.callerChannelId }).catch((err: Error) => {
      void this.end(s, `unreachable: ${err.message}`);
      throw err;
    });
    return view(s);
  }

  list(): MonitoringView[] {
    return [...this.sessions.values()].map(view);
  }

  get(id: string): MonitoringView {
    return view(this.session(id));
  }

  /** Switches a connected session to another mode; resolves once the new mode is in place. */
  async setMode(id: string, mode: MonitorMode): Promise<MonitoringView> {
    const s = this.session(id);
    if (s.state !== 'connected') throw new MonitoringState(`session ${id} is ${s.state}: the mode can change once the supervisor has answered`);
    await this.run(s, async () => {
      // Same mode and still in place: nothing to do. A mode that failed half-way is set up again.
      if (s.state !== 'connected' || (s.mode === mode && (s.snoopId || s.bargedInto))) return;
      const from = s.mode;
      await this.disconnect(s);
      await this.connect(s, mode);
      await this.incidents.stamp(s.incidentId, 'monitoring_mode', { session: s.id, supervisor: s.supervisor, from, to: mode, by: s.by });
    });
    return view(s);
  }

  async stop(id: string): Promise<void> {
    await this.end(this.session(id), 'stopped');
  }

  isLeg(channelId: string): boolean {
    return [...this.sessions.values()].some((s) => s.legId === channelId || s.snoopId === channelId);
  }

  /** StasisStart of a 'monitor' channel: a snoop somebody waits for, or a supervisor leg to dial. */
  legEntered(channelId: string): void {
    if (this.arrivals.arrived(channelId)) return;
    const s = this.byLeg(channelId);
    if (s) this.telephony.dial(channelId, Math.ceil(this.settings.answerMs / 1000) + 5).catch((err: Error) => void this.end(s, `dial: ${err.message}`));
  }

  legAnswered(channelId: string): void {
    const s = this.byLeg(channelId);
    if (!s || s.state !== 'ringing') return;
    clearTimeout(s.timer);
    s.state = 'connected';
    this.run(s, async () => {
      await this.telephony.createBridge(s.bridgeId, `monitor ${s.incident} by ${s.supervisor}`);
      await this.connect(s, s.mode);
      await this.incidents.stamp(s.incidentId, 'monitoring_started', { session: s.id, supervisor: s.supervisor, mode: s.mode, seat: s.seat, by: s.by });
      s.log.info({ mode: s.mode }, 'supervisor connected');
    }).catch(() => void this.end(s, 'connect_failed'));
  }

  /** The supervisor's leg failed or hung up, or the snoop died with the party it listened to. */
  legGone(channelId: string, cause: string): void {
    for (const s of this.sessions.values()) {
      if (s.legId === channelId) void this.end(s, s.state === 'ringing' ? cause : 'supervisor_hung_up');
      // A snoop we did not hang up died with its channel: the caller's means the call is over
      // (its StasisEnd may still be on its way), the call-taker's that they left the call.
      else if (s.snoopId === channelId) void this.end(s, s.snoopOn === 'caller' ? 'call_ended' : 'taker_left');
    }
  }

  talking(): void {
    // Nothing to do: a session starts by REST, once a call is talking.
  }

  ended(incident: string): void {
    for (const s of this.sessions.values()) if (s.incident === incident) void this.end(s, 'call_ended');
  }

  /**
   * After a (re)connect: monitoring channels and bridges that no live session owns (a previous
   * process's) are removed, so nothing is left listening to a call.
   */
  async reconcile(live: LiveChannel[], owned: (channelId: string) => boolean): Promise<void> {
    for (const ch of live) if (ch.inOurApp && ch.appArgs[0] === 'monitor' && !owned(ch.id)) await this.telephony.hangup(ch.id);
    const ours = new Set([...this.sessions.values()].map((s) => s.bridgeId));
    for (const b of await this.telephony.listBridges()) if (b.id.startsWith('cti110-monitor-') && !ours.has(b.id)) await this.telephony.destroyBridge(b.id);
  }

  private async liveCall(target: { incident?: string; seat?: string }): Promise<CallInProgress> {
    if (target.incident !== undefined) {
      await this.incidents.findByNumber(target.incident); // unknown: IncidentNotFound (404)
      return this.calls.callInProgress(target.incident) ?? fail(new CallNotLive(`incident ${target.incident}`));
    }
    const seat = target.seat ?? '';
    this.seatExists(seat); // unknown: SeatNotFound (404)
    const incident = this.calls.incidentAtSeat(seat);
    return (incident && this.calls.callInProgress(incident)) || fail(new CallNotLive(`seat ${seat}`));
  }

  private async connect(s: Session, mode: MonitorMode): Promise<void> {
    const call = this.calls.callInProgress(s.incident);
    if (!call) throw new CallNotLive(`incident ${s.incident}`);
    const plan = planFor(mode);
    if (plan.kind === 'bridge') {
      if (s.inOwnBridge) await this.telephony.removeFromBridge(s.bridgeId, s.legId);
      s.inOwnBridge = false;
      await this.telephony.addToBridge(call.bridgeId, [s.legId]);
      s.bargedInto = call.bridgeId;
      s.mode = mode;
      return;
    }
    if (!s.inOwnBridge) await this.telephony.addToBridge(s.bridgeId, [s.legId]);
    s.inOwnBridge = true;
    const snoopId = `cti110-snoop-${randomUUID()}`;
    s.snoopId = snoopId;
    s.snoopOn = plan.on;
    await startSnoop(this.telephony, this.arrivals, plan.on === 'caller' ? call.callerChannelId : call.takerChannelId, { snoopId, spy: plan.spy, whisper: plan.whisper, appArgs: 'monitor' });
    await this.telephony.addToBridge(s.bridgeId, [snoopId]);
    s.mode = mode;
  }

  /** Undoes the current mode, leaving the supervisor's leg up and un-bridged from the call. */
  private async disconnect(s: Session): Promise<void> {
    const snoopId = s.snoopId;
    s.snoopId = undefined; // its StasisEnd is ours, not a monitored party leaving
    if (snoopId) await this.telephony.hangup(snoopId);
    const barged = s.bargedInto;
    s.bargedInto = undefined;
    if (barged) await this.telephony.removeFromBridge(barged, s.legId).catch(ignoreGone);
  }

  private end(s: Session, reason: string): Promise<void> {
    if (s.state === 'ended') return s.lane;
    const wasConnected = s.state === 'connected';
    s.state = 'ended';
    clearTimeout(s.timer);
    return this.run(s, async () => {
      const snoopId = s.snoopId;
      s.snoopId = undefined;
      if (snoopId) await this.telephony.hangup(snoopId);
      await this.telephony.hangup(s.legId);
      await this.telephony.destroyBridge(s.bridgeId);
      this.sessions.delete(s.id);
      await this.incidents.stamp(s.incidentId, 'monitoring_ended', { session: s.id, supervisor: s.supervisor, mode: s.mode, reason, connected: wasConnected });
      s.log.info({ reason }, 'monitoring ended');
    }).catch(() => void this.sessions.delete(s.id));
  }

  /** One session's steps run strictly in order; a failure is logged and returned to the caller. */
  private run<T>(s: Session, work: () => Promise<T>): Promise<T> {
    const result = s.lane.then(work);
    s.lane = result.then(
      () => undefined,
      (err: Error) => s.log.error({ err: err.message }, 'monitoring step failed'),
    );
    return result;
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new MonitoringNotFound(id);
    return s;
  }

  private byLeg(channelId: string): Session | undefined {
    return [...this.sessions.values()].find((s) => s.legId === channelId);
  }
}

const fail = (err: Error): never => {
  throw err;
};

function ignoreGone(err: unknown): void {
  if (!(err instanceof BridgeGone) && !(err instanceof ChannelGone)) throw err;
}

function view(s: Session): MonitoringView {
  return { id: s.id, incident: s.incident, seat: s.seat, supervisor: s.supervisor, mode: s.mode, state: s.state, requestedAt: s.requestedAt };
}
