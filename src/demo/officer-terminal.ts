// The officers' terminals: each on-duty officer's terminal reports where it is (the service
// dispatches only on a fresh position: dispatch.maxPositionAgeMs), moving about its own unit's
// cells; an officer dispatched to an incident reports "signed for", then "on scene" after the
// call, and the call-taker closes the incident a little later, which frees the officer again.
import type { Grid } from '../dispatch/grid';
import type { RosterEntry } from '../dispatch/officers';
import type { Session } from './api';
import { pointInGrid, type Random } from './callers';
import { Stopped, type Clock } from './clock';

const REPORT_EVERY_MS = 30000;

export class OfficerTerminals {
  private readonly aftermaths = new Set<Promise<void>>();

  constructor(
    private readonly sessions: ReadonlyMap<string, Session>,
    private readonly deps: { grid: Grid; roster: readonly RosterEntry[]; clock: Clock; random: Random; log: (msg: string) => void },
  ) {}

  /** One loop per signed-in terminal, until the demo stops. */
  patrol(): Promise<void>[] {
    return this.deps.roster.filter((o) => this.sessions.has(o.id)).map((o) => this.reportPositions(o, this.sessions.get(o.id)!));
  }

  /** The call-taker saw the officer join `number`: the terminal and the call-taker finish the job. */
  dispatched(number: string, taker: Session): void {
    const job = this.finish(number, taker)
      .catch((err: unknown) => {
        if (!(err instanceof Stopped)) this.deps.log(`${number}: after the dispatch: ${(err as Error).message}`);
      })
      .finally(() => this.aftermaths.delete(job));
    this.aftermaths.add(job);
  }

  /** Waits for the jobs under way (they end at once once the clock is halted). */
  async settled(): Promise<void> {
    await Promise.all([...this.aftermaths]);
  }

  private async reportPositions(officer: RosterEntry, session: Session): Promise<void> {
    const { grid, clock, random, log } = this.deps;
    const beat = grid.cells.filter((c) => c.unit === officer.unit);
    if (beat.length === 0) return void log(`officer ${officer.id}: unit ${officer.unit} has no cell: no position reported`);
    while (!clock.stopped) {
      // A new spot in the unit's cells each time: a patrol, as far as the ranking can tell.
      const at = pointInGrid(grid, random, beat);
      const res = await session.put(`/officers/${officer.id}/position`, { ...at, accuracyM: 15 }).catch((err: Error) => ({ status: 0, body: err.message }));
      if (res.status !== 200) log(`officer ${officer.id}: position report answered ${res.status} ${JSON.stringify(res.body)}`);
      await clock.sleep(REPORT_EVERY_MS).catch(() => undefined);
    }
  }

  private async finish(number: string, taker: Session): Promise<void> {
    const { clock, log } = this.deps;
    const record = await taker.get<{ officerId: string | null }>(`/incidents/${number}/dispatch`);
    const officer = record.body.officerId;
    const terminal = officer ? this.sessions.get(officer) : undefined;
    if (officer && terminal) {
      await clock.pause(2000);
      await terminal.post(`/incidents/${number}/signed-for`, { officer });
    }
    await clock.until(`${number} ended`, async () => (await taker.get<{ endedAt: number | null }>(`/incidents/${number}`)).body.endedAt !== null, 15 * 60000);
    if (officer && terminal) {
      await clock.pause(15000); // driving there
      await terminal.post(`/incidents/${number}/on-scene`, { officer });
    }
    await clock.pause(20000); // dealt with: the call-taker closes it, the officer is free again
    const closed = await taker.post(`/incidents/${number}/close`);
    log(`${number}: closed (${closed.status})${officer ? `, officer ${officer} free again` : ''}`);
  }
}
