// One caller's call in memory: its state, its incident, and a serial lane for its work.
import type { Logger } from 'pino';
import { nextState, type CallEvent, type CallState } from './call-state';

export class Call {
  state: CallState;
  incidentId: number | undefined;
  incidentNumber: string | undefined;
  callerNumber = '';
  priority = 100;
  /** The answered seat (or overflow) leg, and the bridge joining it with the caller. */
  legId: string | undefined;
  bridgeId: string | undefined;
  /** The bridge is being recorded (started at the first answer). */
  recording = false;
  recordingName: string | undefined;
  /** What connectToSeat (connect.ts) has done already: a retried connection skips it. */
  readonly connected = { callerAnswered: false, bridgeMade: false, callerInBridge: false };
  /** The caller's MixMonitor file, recording since the dialplan (undefined: record the bridge). */
  recordingFile: string | undefined;
  /** A ringback tone played to an answered caller who is waiting again. */
  ringbackId: string | undefined;
  /** performance.now() when its StasisStart reached us (unset for a call re-attached after a restart). */
  enteredAt: number | undefined;
  /** Offered to a seat at least once (the service-time metric counts the first offer only). */
  offeredOnce = false;
  private lane: Promise<void> = Promise.resolve();

  constructor(
    readonly channelId: string,
    readonly arrivedAt: number,
    public log: Logger,
    state: CallState = 'arrived',
  ) {
    this.state = state;
  }

  /**
   * Runs steps of one call strictly in order (events of one channel must not overtake each other,
   * e.g. a hang-up while its incident is still being written). A failing step is logged and does
   * not block the steps after it.
   */
  enqueue(step: string, work: () => Promise<void>): Promise<void> {
    this.lane = this.lane.then(work).catch((err: unknown) => {
      this.log.error({ step, err: err instanceof Error ? { message: err.message, code: (err as { code?: string }).code } : err }, 'call step failed');
    });
    return this.lane;
  }

  /** Applies the event; returns [from, to], logged as one line with the incident number. */
  apply(event: CallEvent): [CallState, CallState] {
    const from = this.state;
    this.state = nextState(from, event);
    if (from !== this.state) this.log.info({ from, to: this.state, cause: event }, `Transition: ${from} -> ${this.state}`);
    return [from, this.state];
  }
}
