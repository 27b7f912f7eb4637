// A simulated call-taker at one seat: what a person at the console does, through the same REST
// calls. The seat's phone answers by itself (auto-answer); the call-taker then listens, triages,
// and either dispatches the nearest officer into the call (and leaves caller and officer talking)
// or hands the caller to 12345 (and leaves once 12345 has them). The matter comes from the
// trickle's plan of that caller; a caller the demo did not place (someone trying the README's
// SIPp line) gets an "unclear jurisdiction" note and stays with the call-taker.
import type { Session } from './api';
import type { Matter } from './callers';
import type { Clock } from './clock';
import type { OfficerTerminals } from './officer-terminal';

interface IncidentView {
  number: string;
  callerNumber: string;
  endedAt: number | null;
  timeline: { kind: string }[];
}

const UNKNOWN_CALLER: Matter = { police: false, category: 'unclear_jurisdiction', summary: '来电人未说明情况 (the caller did not say what happened)' };

export class CallTaker {
  private readonly handled = new Set<string>();

  constructor(
    private readonly seat: string,
    private readonly session: Session,
    private readonly deps: { clock: Clock; matterOf: (callerNumber: string) => Matter | undefined; terminals: OfficerTerminals; log: (msg: string) => void },
  ) {}

  /** Logs the seat in and makes it ready once its phone is reachable (409 before). */
  async takeSeat(): Promise<void> {
    const { clock } = this.deps;
    const seat = await clock.until(`seat ${this.seat} phone reachable`, async () => {
      const s = await this.session.get<{ reachable: boolean; state: string }>(`/seats/${this.seat}`);
      return s.body.reachable && s.body;
    }, 60000);
    // Still logged in from an earlier demo against the same service: log-in would be refused.
    if (seat.state === 'logged_out') {
      const login = await this.session.post(`/seats/${this.seat}/login`);
      if (login.status !== 200 && login.status !== 202) throw new Error(`seat ${this.seat}: log-in answered ${login.status} ${JSON.stringify(login.body)}`);
    }
    const ready = await this.session.post(`/seats/${this.seat}/ready`);
    // Refused while a call rings the seat (an earlier run's): it is logged in, calls will come.
    this.deps.log(`seat ${this.seat}: ${this.session.name} logged in, ${ready.status === 200 ? 'ready' : `ready refused (${ready.status} ${JSON.stringify(ready.body)})`}`);
  }

  /** Watches the seat until the demo stops, handling each call that reaches it. */
  async work(): Promise<void> {
    const { clock } = this.deps;
    while (!clock.stopped) {
      try {
        const call = await this.session.get<{ incident: string }>(`/seats/${this.seat}/call`);
        if (call.status === 200 && !this.handled.has(call.body.incident)) {
          this.handled.add(call.body.incident);
          await this.handle(call.body.incident);
        }
      } catch (err) {
        // The caller hung up mid-script, the service restarted: the next call starts afresh.
        if (!clock.stopped) this.deps.log(`seat ${this.seat}: ${(err as Error).message}`);
      }
      await clock.sleep(500).catch(() => undefined); // Stopped: the loop ends
    }
  }

  /**
   * Best effort at stop: the wallboard shows the seat logged out rather than a dead phone. A seat
   * on a call cannot log out (409): not ready first, which it becomes once that call is over.
   */
  async leaveSeat(): Promise<void> {
    await this.session.post(`/seats/${this.seat}/not-ready`, { reason: 'demo stopped' }).catch(() => undefined);
    await this.session.post(`/seats/${this.seat}/logout`).catch(() => undefined);
  }

  private async handle(number: string): Promise<void> {
    const { clock, log } = this.deps;
    const incident = await this.incident(number);
    const matter = this.deps.matterOf(incident.callerNumber) ?? UNKNOWN_CALLER;
    log(`seat ${this.seat}: answered ${number} from ${incident.callerNumber}: ${matter.category}`);
    await clock.pause(6000); // listening to the caller
    await this.expect(`classify ${number}`, this.session.post(`/incidents/${number}/classify`, matter), 200);
    if (matter.category === UNKNOWN_CALLER.category) return;
    if (matter.police) await this.dispatch(number);
    else await this.handOver(number);
  }

  private async dispatch(number: string): Promise<void> {
    const { clock, log } = this.deps;
    const started = await this.expect(`dispatch ${number}`, this.session.post<{ cell: string | null; targets: { id: string }[] }>(`/incidents/${number}/dispatch`), 202);
    log(`seat ${this.seat}: ${number} dispatched (cell ${started.cell ?? '?'}, ringing ${started.targets.map((t) => t.id).join(' > ')})`);
    const joined = await clock.until(`${number}: officer joined`, async () => {
      const inc = await this.incident(number);
      return inc.endedAt !== null ? 'ended' : inc.timeline.some((e) => e.kind === 'officer_joined') ? 'joined' : undefined;
    }, 60000);
    if (joined === 'ended') return;
    this.deps.terminals.dispatched(number, this.session);
    await clock.pause(6000); // the three talk; the officer has heard what they need
    await this.expect(`taker leaves ${number}`, this.session.post(`/incidents/${number}/taker/leave`), 204);
    log(`seat ${this.seat}: left ${number} to caller and officer`);
  }

  private async handOver(number: string): Promise<void> {
    const { clock, log } = this.deps;
    await this.expect(`transfer ${number}`, this.session.post(`/incidents/${number}/transfer`), 202);
    const outcome = await clock.until(`${number}: 12345 answered`, async () => {
      const kinds = (await this.incident(number)).timeline.map((e) => e.kind);
      return kinds.includes('transfer_answered') ? 'answered' : kinds.includes('transfer_failed') ? 'failed' : undefined;
    }, 60000);
    if (outcome === 'failed') return void log(`seat ${this.seat}: 12345 did not take ${number}: the call-taker keeps the caller`);
    await clock.pause(3000); // "this is for 12345, I hand you over": the hot transfer
    await this.expect(`taker leaves ${number}`, this.session.post(`/incidents/${number}/taker/leave`), 204);
    log(`seat ${this.seat}: handed ${number} to 12345`);
  }

  /**
   * The seat shows the call as soon as it is answered; the incident names its seat a moment later
   * (the answer's stamp is written behind the call), and until then says NOT_YOURS (403): asked
   * again, as a person looking at the screen a second later would.
   */
  private async incident(number: string): Promise<IncidentView> {
    const reply = await this.deps.clock.until(
      `incident ${number} at this seat`,
      async () => {
        const r = await this.session.get<IncidentView>(`/incidents/${number}`);
        return r.status === 403 ? undefined : r;
      },
      5000,
    );
    return this.expect(`incident ${number}`, Promise.resolve(reply), 200);
  }

  private async expect<T>(what: string, reply: Promise<{ status: number; body: T }>, status: number): Promise<T> {
    const r = await reply;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
