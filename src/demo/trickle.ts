// A trickle of 110 calls through the SIP edge, as the carrier delivers them: each caller is one
// SIPp (test/sipp/caller-geo.xml) sending its location with the INVITE, staying on as long as
// its plan says, then hanging up. The call-takers read the plan to know what each caller wants.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid } from '../dispatch/grid';
import { MatterDeck, planCall, type Matter, type PlannedCall, type Random } from './callers';
import type { Clock } from './clock';
import type { SippProcesses } from './sipp-processes';

// The edge takes the 110 trunk's calls from the carrier's side of loopback (scripts/sip-edge.sh).
const CARRIER_IP = '127.0.0.2';
// More callers than this at once means the centre is not keeping up: the demo stops adding.
const MAX_CALLERS = 20;

export class Trickle {
  private readonly plans = new Map<string, PlannedCall>();
  private readonly deck: MatterDeck;
  private placed = 0;
  private up = 0;

  constructor(private readonly deps: { procs: SippProcesses; grid: Grid; edge: string; callerDir: string; logDir: string; callsPerMinute: number; pace: number; clock: Clock; random: Random; log: (msg: string) => void }) {
    this.deck = new MatterDeck(deps.random);
  }

  matterOf(callerNumber: string): Matter | undefined {
    return this.plans.get(callerNumber)?.matter;
  }

  /** Places calls until the demo stops: the first at once, then about callsPerMinute a minute. */
  async run(): Promise<void> {
    const { clock, callsPerMinute, random } = this.deps;
    const meanMs = 60000 / callsPerMinute;
    while (!clock.stopped) {
      if (this.up < MAX_CALLERS) await this.place().catch((err: Error) => this.deps.log(`caller: ${err.message}`));
      // Random gaps (exponential, clipped): arrivals bunch and thin out as real ones do.
      const gap = Math.min(3, Math.max(0.2, -Math.log(1 - random()))) * meanMs;
      await clock.sleep(gap).catch(() => undefined);
    }
  }

  private async place(): Promise<void> {
    const { grid, pace, random, log } = this.deps;
    const plan = planCall(grid, this.deck, random, pace);
    this.plans.set(plan.number, plan);
    this.placed++;
    log(`call ${this.placed}: ${plan.number} at ${plan.lat} N ${plan.lon} E (±${plan.radiusM} m): ${plan.matter.summary}`);
    // Kept only for a call that failed: one small file per failed call, none per good one.
    const errorFile = join(this.deps.logDir, `caller-${plan.number}-errors.log`);
    const run = await this.deps.procs.start({
      name: `caller ${plan.number}`,
      scenario: 'caller-geo.xml',
      to: this.deps.edge,
      ip: CARRIER_IP,
      cwd: this.deps.callerDir,
      errorFile,
      // pos is "lat lon": GML order, latitude first.
      args: ['-s', '110', '-key', 'callerid', plan.number, '-key', 'pos', `${plan.lat} ${plan.lon}`, '-key', 'radius', String(plan.radiusM), '-set', 'hold_s', String(plan.holdS), '-m', '1', '-l', '1', '-timeout', `${plan.holdS + 600}s`, '-timeout_error'],
    });
    this.up++;
    void run.done.then((code) => {
      this.up--;
      // Kept a while after the call: the call-taker may still be reading the incident.
      setTimeout(() => this.plans.delete(plan.number), 10 * 60000).unref();
      if (code === 0) rmSync(errorFile, { force: true });
      if (!this.deps.clock.stopped) log(`caller ${plan.number}: hung up${code === 0 ? '' : ` (sipp exit ${code}, see ${errorFile})`}`);
    });
  }
}
