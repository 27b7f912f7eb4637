// The dispatch side of an incident: its location and officer times, what the officer's terminal
// reports (signed for, on scene, free again), and how fast callers reached an officer.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { MajorAlerts } from '../../dispatch/alerts';
import type { IncidentRecord } from '../../dispatch/incident-record';
import type { DispatchRepo } from '../../store/dispatch-repo';
import { resolvePeriod } from '../../stats/period';
import { CALL_HANDLERS, OFFICER_TERMINALS, SUPERVISORS } from '../../auth/roles';
import { byIncident, byOfficerBody } from '../ownership';
import { ErrorBody, Int, Ms } from '../schemas';

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const OfficerBody = Type.Object({ officer: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$', description: 'the reporting officer id' }) }, { additionalProperties: false });
const ms = Type.Union([Type.Integer(), Type.Null()]);
const Record_ = Type.Object({
  incident: Type.String(),
  location: Type.Union([Type.Object({ lon: Type.Number(), lat: Type.Number(), source: Type.String({ description: 'sip-pidf, lookup, pole or manual' }), accuracyM: Type.Union([Type.Number(), Type.Null()]), at: Type.Integer() }), Type.Null()]),
  officerId: Type.Union([Type.String(), Type.Null()], { description: 'the officer who answered; null when a duty line did' }),
  unitId: Type.Union([Type.String(), Type.Null()]),
  dispatchAt: ms,
  officerAnsweredAt: ms,
  officerTalkMs: Type.Union([Type.Integer(), Type.Null()], { description: 'call arrival to the officer on the line (target 30 s)' }),
  signedForAt: ms,
  onSceneAt: ms,
  closedAt: ms,
});
const StatsQuery = Type.Object({ from: Type.Optional(Ms()), to: Type.Optional(Ms()) }, { additionalProperties: false });

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: number[], p: number): number | null => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);

export function dispatchRecordRoutes(app: FastifyInstance, deps: { record: IncidentRecord; repo: DispatchRepo; alerts: MajorAlerts }): void {
  app.get<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/dispatch',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: "An incident's location (with source and accuracy), dispatched officer and unit, and times", params: NumberParams, response: { 200: Record_, 404: ErrorBody } } },
    async (req) => deps.record.get(req.params.number),
  );

  for (const what of ['signed_for', 'on_scene'] as const) {
    app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof OfficerBody> }>(
      `/incidents/:number/${what.replace('_', '-')}`,
      {
        // The terminal reports for its own officer only; that the officer is the one dispatched
        // to this incident is the record's rule (409 otherwise).
        config: { access: OFFICER_TERMINALS, owner: byOfficerBody },
        schema: {
          summary: `The dispatched officer's terminal reports "${what.replace('_', ' ')}" (first report only)`,
          params: NumberParams,
          body: OfficerBody,
          response: { 200: Type.Object({ at: Type.Integer() }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => ({ at: await deps.record.report(req.params.number, req.body.officer, what) }),
    );
  }

  app.post<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/release',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'The officer busy on this incident is free for the next one', params: NumberParams, response: { 200: Type.Object({ officer: Type.String() }), 404: ErrorBody, 409: ErrorBody } } },
    async (req) => ({ officer: await deps.record.release(req.params.number) }),
  );

  app.post<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/close',
    {
      config: { access: CALL_HANDLERS, owner: byIncident },
      schema: {
        summary: 'The incident is dealt with: closed (once), and its officer, if still busy on it, is free again',
        params: NumberParams,
        response: { 200: Type.Object({ at: Type.Integer(), released: Type.Union([Type.String(), Type.Null()], { description: 'the officer freed, if any' }) }), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => deps.record.close(req.params.number),
  );

  const AlertsQuery = Type.Object({ limit: Int({ minimum: 1, maximum: 500, default: 50 }) }, { additionalProperties: false });
  app.get<{ Querystring: Static<typeof AlertsQuery> }>(
    '/dispatch/alerts',
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: 'Major-incident alerts for supervisors (categories in dispatch.majorCategories), newest first',
        querystring: AlertsQuery,
        response: { 200: Type.Array(Type.Object({ incident: Type.String(), at: Type.Integer(), category: Type.String(), callerNumber: Type.String(), state: Type.String({ description: 'the call now' }) })), 400: ErrorBody },
      },
    },
    async (req) => deps.alerts.list(req.query.limit),
  );

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/stats/dispatch',
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: 'Dispatched incidents of a period (default: today) and how fast callers reached an officer (target 30 s)',
        querystring: StatsQuery,
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer(), dispatched: Type.Integer(), answered: Type.Integer(), within30sPct: Type.Union([Type.Number(), Type.Null()]), avgTalkMs: Type.Union([Type.Integer(), Type.Null()]), p50TalkMs: ms, p90TalkMs: ms }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const period = resolvePeriod(req.query, Date.now());
      const s = await deps.repo.stats(period.from, period.to);
      const avg = s.talkMs.length ? Math.round(s.talkMs.reduce((a, b) => a + b, 0) / s.talkMs.length) : null;
      // Dispatches nobody answered count against the target, like abandoned calls do for 3 s.
      const within30sPct = s.dispatched ? Math.round((1000 * s.within30s) / s.dispatched) / 10 : null;
      return { ...period, dispatched: s.dispatched, answered: s.answered, within30sPct, avgTalkMs: avg, p50TalkMs: pct(s.talkMs, 50), p90TalkMs: pct(s.talkMs, 90) };
    },
  );
}
