// Every user action over REST, into the audit chain, from one place: what the route declares
// (`config.access`, and `config.audit` where the default is not right) decides, not each handler.
// Default: every request that may change something (not GET) on a route behind sign-in, whatever
// its answer (a refused act is on record too); GETs only where the route asks (reading evidence:
// listening to a recording, exporting an incident), since the screens poll the others.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditRecord, AuditSink } from './audit-log';

/** What a route adds to (or changes in) its entry: a name for the act, the incident or recording. */
export type AuditOf = (req: FastifyRequest, reply: FastifyReply) => Partial<AuditRecord>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: never audited; true or a function: audited even for GET (see http-audit.ts). */
    audit?: boolean | AuditOf;
  }
}

// A body may carry what must not be kept (a password); and a body of 100 KB is not an audit entry.
const SECRET_KEY = /pass|secret|token/i;
const MAX_DETAIL = 4000;
const INCIDENT = /^[0-9]{8}-[0-9]{6,}$/;

function removeSecrets(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(removeSecrets);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEY.test(k) ? '[removed]' : removeSecrets(x)]));
}

function scrub(body: unknown): unknown {
  const out = removeSecrets(body);
  return JSON.stringify(out ?? null).length > MAX_DETAIL ? '[too long]' : out;
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** The signed-in user; with sign-in off, X-User as sent (as the recordings' access log does). */
export const actorOf = (req: FastifyRequest): string => req.user?.name ?? (header(req, 'x-user').slice(0, 64) || 'anonymous');

export function installHttpAudit(app: FastifyInstance, audit: AuditSink): void {
  app.addHook('onResponse', async (req, reply) => {
    const url = req.routeOptions.url;
    const config = req.routeOptions.config;
    if (url === undefined || config.access === undefined || config.access === 'public' || config.audit === false) return;
    if ((req.method === 'GET' || req.method === 'HEAD') && !config.audit) return;
    // Nobody signed in: the guard refused before anything happened, and a flood of these must
    // not fill the chain (the request log has them).
    if (reply.statusCode === 401) return;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const body = (req.body ?? undefined) as Record<string, unknown> | undefined;
    const number = [params.number, body?.incident].find((n): n is string => typeof n === 'string' && INCIDENT.test(n));
    const entry: AuditRecord = {
      actor: actorOf(req),
      action: `${req.method} ${url}`,
      incident: number ?? null,
      recordingId: url.startsWith('/recordings/:id') ? Number(params.id) : undefined,
      detail: { status: reply.statusCode, remote: req.ip, role: req.user?.role, params: Object.keys(params).length ? params : undefined, body: req.method === 'GET' ? undefined : scrub(body) },
    };
    let extra: Partial<AuditRecord> = {};
    try {
      if (typeof config.audit === 'function') extra = config.audit(req, reply);
    } catch (err) {
      req.log.error({ err: (err as Error).message, route: url }, 'audit: the route could not describe its act; recorded without');
    }
    audit.record({ ...entry, ...extra, detail: { ...entry.detail, ...extra.detail } });
  });
}
