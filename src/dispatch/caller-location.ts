// Where the caller is, found as the call arrives: the network's PIDF-LO on the INVITE (read by
// Asterisk, handed over in channel variables), else the location lookup service asked by the
// caller's number. Kept on the incident with its source and accuracy, so that a dispatch needs no
// typing. Nothing here may hold up or end a call: a bad or missing location is a timeline note,
// and the lookup runs beside the call with a short timeout.
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import type { DispatchRepo } from '../store/dispatch-repo';
import { LocationInvalid } from './errors';
import { checkLonLat } from './geo';
import type { CallerLocation } from './location';
import { parseAsteriskGml } from './pidf-lo';

/** Set by dialplan/extensions.conf (cti110-incoming) and passed by ARI as channel variables. */
export interface SipLocationVars {
  /** The Geolocation header as received ('' when there was none). */
  header: string;
  /** GEOLOC_PROFILE(format), (location_info), (method): empty when Asterisk could not read it. */
  format: string;
  info: string;
  method: string;
}

export interface LookupSettings {
  /** GET <url>?number=<caller number> answers {lon, lat, accuracyM?}; '' = no lookup service. */
  url: string;
  timeoutMs: number;
}

/** A caller number worth asking about: digits, with an optional leading +. */
const LOOKUP_NUMBER = /^\+?[0-9]{3,20}$/;

export class CallerLocator {
  constructor(
    private readonly repo: DispatchRepo,
    private readonly incidents: Incidents,
    private readonly lookup: LookupSettings,
    private readonly log: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Never throws: the call goes on whatever happens here. */
  async onArrival(incidentId: number, callerNumber: string, sip: SipLocationVars | undefined): Promise<void> {
    try {
      if (sip?.header) {
        if (await this.fromSip(incidentId, sip)) return;
      }
      await this.fromLookup(incidentId, callerNumber);
    } catch (err) {
      this.log.error({ incidentId, err: (err as Error).message }, 'caller location failed');
    }
  }

  private async fromSip(incidentId: number, sip: SipLocationVars): Promise<boolean> {
    const header = sip.header.slice(0, 256);
    if (!sip.format && !sip.info) {
      // res_pjsip_geolocation logged why (unparseable XML, no such body part, ...).
      await this.incidents.stamp(incidentId, 'location_unusable', { source: 'sip-pidf', reason: 'Asterisk could not read the location the Geolocation header points at', header });
      return false;
    }
    try {
      const location = parseAsteriskGml(sip.format, sip.info);
      await this.keep(incidentId, location, { method: sip.method.slice(0, 64) || null, header });
      return true;
    } catch (err) {
      if (!(err instanceof LocationInvalid)) throw err;
      await this.incidents.stamp(incidentId, 'location_unusable', { source: 'sip-pidf', reason: err.message, header });
      return false;
    }
  }

  private async fromLookup(incidentId: number, callerNumber: string): Promise<void> {
    if (!this.lookup.url || !LOOKUP_NUMBER.test(callerNumber)) return;
    const url = new URL(this.lookup.url);
    url.searchParams.set('number', callerNumber);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.lookup.timeoutMs);
    let reason: string;
    try {
      const res = await this.fetchImpl(url, { signal: abort.signal, headers: { accept: 'application/json' } });
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined);
        return void (await this.incidents.stamp(incidentId, 'location_unusable', { source: 'lookup', reason: 'the lookup service does not know this number' }));
      }
      if (!res.ok) throw new LocationInvalid(`lookup answered HTTP ${res.status}`);
      const body = (await res.json().catch(() => undefined)) as { lon?: unknown; lat?: unknown; accuracyM?: unknown } | undefined;
      const at = checkLonLat(body?.lon, body?.lat, 'lookup answer');
      const accuracy = typeof body?.accuracyM === 'number' && Number.isFinite(body.accuracyM) && body.accuracyM >= 0 ? body.accuracyM : undefined;
      return await this.keep(incidentId, { ...at, source: 'lookup', ...(accuracy === undefined ? {} : { accuracyM: accuracy }) }, {});
    } catch (err) {
      reason = abort.signal.aborted ? `no answer within ${this.lookup.timeoutMs} ms` : err instanceof LocationInvalid ? err.message : `lookup failed: ${describe(err)}`;
    } finally {
      clearTimeout(timer);
    }
    await this.incidents.stamp(incidentId, 'location_unusable', { source: 'lookup', reason });
  }

  private async keep(incidentId: number, l: CallerLocation, detail: Record<string, unknown>): Promise<void> {
    await this.repo.setLocation(incidentId, { ...l, at: Date.now() });
    await this.incidents.stamp(incidentId, 'location', { source: l.source, lon: l.lon, lat: l.lat, accuracyM: l.accuracyM ?? null, ...detail });
  }
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ...) is in the cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
