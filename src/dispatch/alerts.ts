// Major incidents (murder, robbery, kidnapping, explosion...): the moment a call-taker classifies
// a call so, supervisors get an alert (GET /dispatch/alerts, and a loud log line for whatever
// watches the logs), so that they can follow the call and send more than one unit.
import type { Logger } from 'pino';
import type { IncidentRow, Incidents } from '../incidents/incidents';
import type { AlertRow, DispatchRepo } from '../store/dispatch-repo';

export class MajorAlerts {
  constructor(
    private readonly incidents: Pick<Incidents, 'stamp' | 'settled'>,
    private readonly repo: Pick<DispatchRepo, 'alerts' | 'hasAlert'>,
    private readonly majorCategories: readonly string[],
    private readonly log: Logger,
  ) {}

  /** After every classification; one alert per incident, however often it is reclassified. */
  async classified(row: IncidentRow): Promise<void> {
    if (row.category === null || !this.majorCategories.includes(row.category)) return;
    if (await this.repo.hasAlert(row.id)) return;
    await this.incidents.stamp(row.id, 'major_alert', { category: row.category });
    // Written before the classification is answered: the alert list (and the check above, on a
    // reclassification) read the store. A store that does not answer delays it 3 s at most.
    await this.incidents.settled(row.id);
    this.log.error({ incident: row.number, category: row.category }, 'MAJOR INCIDENT ALERT');
  }

  list(limit: number): Promise<AlertRow[]> {
    return this.repo.alerts(limit);
  }
}
