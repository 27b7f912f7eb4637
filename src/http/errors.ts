// One error handler: 4xx carry a stable code and a clear message; 5xx never show their details.
import type { FastifyError, FastifyInstance } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Maps domain errors (by class/code, never by message) to HTTP. */
const DOMAIN_STATUS: Record<string, number> = {
  INCIDENT_NOT_FOUND: 404,
  SEAT_NOT_FOUND: 404,
  NOT_A_BROWSER_SEAT: 404,
  SEAT_STATE: 409,
  SEAT_UNREACHABLE: 409,
  NOTHING_TO_CALL_BACK: 409,
  NO_CALL_TO_CONFERENCE: 409,
  NO_CALL_TAKER: 409,
  TRANSFER_REFUSED: 409,
  BAD_CLASSIFICATION: 400,
  CHANNEL_GONE: 409,
  OFFICER_NOT_FOUND: 404,
  POLE_NOT_FOUND: 404,
  LOCATION_INVALID: 400,
  LOCATION_UNKNOWN: 409,
  DISPATCH_CONFLICT: 409,
  LANGUAGE_NOT_OFFERED: 404,
  NO_CALL_TO_INTERPRET: 409,
  INTERPRETER_PRESENT: 409,
  NO_INTERPRETER: 409,
  ASTERISK_UNAVAILABLE: 503,
  AMI_UNAVAILABLE: 503,
  BAD_DAY: 400,
  BAD_PERIOD: 400,
  BAD_SAMPLE_SIZE: 400,
  BAD_SCORE: 400,
  SPOT_CHECK_NOT_FOUND: 404,
  SPOT_CHECK_SCORED: 409,
  CALL_NOT_LIVE: 409,
  SUPERVISOR_NOT_FOUND: 404,
  SUPERVISOR_UNAVAILABLE: 409,
  MONITORING_NOT_FOUND: 404,
  MONITORING_STATE: 409,
  RECALL_UNAVAILABLE: 409,
  RECALL_TOO_SOON: 429,
  SIGN_IN_FAILED: 401,
  TOO_MANY_ATTEMPTS: 429,
  BAD_USER: 400,
  BAD_SIGNATURE: 401,
  BAD_TEXT: 400,
  TEXTS_OFF: 404,
  NO_TEXT_CONVERSATION: 404,
  TEXT_STATE: 409,
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { code?: string }, request, reply) => {
    if (err.validation) {
      return reply.status(400).send({ error: 'BAD_REQUEST', message: `${err.validationContext ?? 'request'} ${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`.replace(/\s+/g, ' ').trim() });
    }
    const status = err instanceof HttpError ? err.statusCode : (err.code && DOMAIN_STATUS[err.code]) || err.statusCode || 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: status === 503 ? 'UNAVAILABLE' : 'INTERNAL', message: status === 503 ? 'a dependency is unavailable' : 'Internal Server Error' });
    }
    // A refusal that says when to come back (e.g. RECALL_TOO_SOON) says it in Retry-After too.
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    if (status === 429 && typeof retryAfterMs === 'number') reply.header('Retry-After', Math.max(1, Math.ceil(retryAfterMs / 1000)));
    // Fastify's own codes (FST_ERR_...) are not ours to promise: clients see BAD_REQUEST.
    const code = !err.code || err.code.startsWith('FST_') ? (status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST') : err.code;
    return reply.status(status).send({ error: code, message: err.message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
