// One dispatch, however it is asked for (REST from the call-taker's screen, or *1 on their
// softphone): where (the location given, else the one the call brought), who (ranking), special
// routing by category (fraud: the anti-fraud centre first), then the conference.
import type { Incidents } from '../incidents/incidents';
import type { DispatchRepo } from '../store/dispatch-repo';
import type { Conference, DispatchTarget } from './conference';
import type { Grid } from './grid';
import type { CallerLocation } from './location';
import type { Officers } from './officers';
import { rankOfficers, type Ranking } from './ranking';

export class LocationUnknown extends Error {
  readonly code = 'LOCATION_UNKNOWN';
  override readonly name = this.constructor.name;
}

export interface SpecialRouting {
  fraudCategories: readonly string[];
  /** '' = no anti-fraud centre configured: fraud is dispatched like any police matter. */
  fraudEndpoint: string;
}

export class DispatchService {
  constructor(
    private readonly incidents: Incidents,
    private readonly repo: DispatchRepo,
    private readonly grid: Grid,
    private readonly officers: Officers,
    private readonly conference: Conference,
    private readonly special: SpecialRouting,
  ) {}

  async dispatch(incident: string, given?: CallerLocation): Promise<{ ranking: Ranking; targets: DispatchTarget[] }> {
    const row = await this.incidents.findByNumber(incident);
    let location = given;
    if (location) {
      // What the call-taker entered (coordinates, pole) replaces what the call brought.
      await this.repo.setLocation(row.id, { ...location, at: Date.now() });
      await this.incidents.stamp(row.id, 'location', { source: location.source, lon: location.lon, lat: location.lat, accuracyM: location.accuracyM ?? null, pole: location.pole ?? null });
    } else {
      const known = (await this.repo.get(row.id))?.location;
      if (!known) throw new LocationUnknown(`incident ${incident} has no caller location yet: give lon and lat, or a pole code`);
      location = { lon: known.lon, lat: known.lat, source: known.source as CallerLocation['source'] };
    }
    const ranking = rankOfficers(location, this.grid, await this.officers.all());
    const fraud = row.category !== null && this.special.fraudCategories.includes(row.category) && this.special.fraudEndpoint !== '';
    const first: DispatchTarget[] = fraud ? [{ kind: 'anti_fraud', id: 'anti-fraud', endpoint: this.special.fraudEndpoint, unit: null }] : [];
    return { ranking, targets: await this.conference.start(incident, ranking, first) };
  }
}
