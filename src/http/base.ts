// The Fastify instance every route module is mounted on, with the choices that hold for every
// route: how requests are validated, how long a client may take, the headers every response
// carries, and the one error handler. Tests mount route modules on it too, so that they validate
// and answer as the service does.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify';
import { installErrorHandler } from './errors';

/**
 * requestTimeout: a client has this long to send its whole request (headers and body), so a
 * slowloris holds no socket for ever (Fastify's default, 0, waits without end). connectionTimeout:
 * an idle socket is closed (a recording download keeps its socket busy, a WebSocket is no longer
 * an HTTP socket). keepAliveTimeout: a browser's idle keep-alive connection is kept a short while.
 */
export const HTTP_TIMEOUTS = { requestTimeout: 30_000, connectionTimeout: 60_000, keepAliveTimeout: 10_000 } as const;

// The pages in web/ are plain files from this origin with no inline script or style, and nothing
// here is meant to be framed; recordings play from this origin; the live stream is a same-origin
// WebSocket ('self' covers ws: and wss: to the same host in CSP 3). `connectTo`: the one other
// origin a page may open, Asterisk's SIP WebSocket for browser seats (web/phone.js).
export function securityHeaders(connectTo: readonly string[] = []): Readonly<Record<string, string>> {
  const connect = ["'self'", ...connectTo].join(' ');
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src ${connect}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
export const SECURITY_HEADERS = securityHeaders();

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
}
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const allows = (s: JsonSchema, type: string): boolean => s.type === type || (s.anyOf ?? []).some((m) => allows(m, type));

/**
 * Query-string and path values arrive as text: turned into the number or boolean their schema
 * asks for when they are exactly one ("10", "39.9", "true"), and otherwise left as they are for
 * validation to refuse with a 400. "1.5" is not an integer (no silent truncation), nor is a
 * number past 2^53 (it would not come back as the same number).
 */
function convertText(schema: JsonSchema, values: unknown): void {
  if (typeof values !== 'object' || values === null || !schema.properties) return;
  const target = values as Record<string, unknown>;
  for (const [key, prop] of Object.entries(schema.properties)) {
    const v = target[key];
    if (typeof v !== 'string') continue;
    if (NUMBER.test(v) && (allows(prop, 'integer') ? Number.isSafeInteger(Number(v)) : allows(prop, 'number') && Number.isFinite(Number(v)))) target[key] = Number(v);
    else if (allows(prop, 'boolean') && (v === 'true' || v === 'false')) target[key] = v === 'true';
  }
}

export function createBaseApp(logger?: FastifyBaseLogger, opts: { connectTo?: readonly string[] } = {}): FastifyInstance {
  const headers = opts.connectTo?.length ? securityHeaders(opts.connectTo) : SECURITY_HEADERS;
  const app: FastifyInstance = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    ...HTTP_TIMEOUTS,
    // No type coercion: a JSON body says what it means, and coercion read `"lat": null` as 0 and
    // `"police": null` as false. Query strings and path parameters are text by nature: they are
    // converted to the types of their schemas before validation (below).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } },
  });
  // Node's own headers deadline defaults to 60 s: headers too must come within the request's time.
  app.server.headersTimeout = HTTP_TIMEOUTS.requestTimeout;
  app.addHook('preValidation', async (req) => {
    const schema: FastifySchema | undefined = req.routeOptions.schema;
    if (schema?.querystring) convertText(schema.querystring as JsonSchema, req.query);
    if (schema?.params) convertText(schema.params as JsonSchema, req.params);
  });
  // onSend runs for every answer, the error handler's and the 404 handler's too.
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(headers);
  });
  installErrorHandler(app);
  return app;
}
