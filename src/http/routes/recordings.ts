// Recordings for supervisors: search, metadata, audio with HTTP ranges, and the access audit log.
import { createReadStream } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { Database } from '../../store/database';
import { RecordingAccessRepo } from '../../store/recording-access-repo';
import { findRecording, searchRecordings, type RecordingHit } from '../../store/recordings-search';
import { HttpError } from '../errors';
import { ErrorBody, Int } from '../schemas';
import { CALL_HANDLERS, SUPERVISORS } from '../../auth/roles';
import { byRecording } from '../ownership';

export interface RecordingRouteDeps {
  db: Database;
  /** The storage root; `recordings.path` is relative to it. */
  storageDir: string;
  /** Audio and the access log need `X-Role: supervisor` (see requireRole). */
  requireSupervisor: boolean;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const ms = (description: string) => Int({ minimum: 0, maximum: 8.64e15, description });
const limit = (dflt: number) => Int({ minimum: 1, maximum: 500, default: dflt });
const before = Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'the `next` cursor of the previous page' }));
const page = (item: TObject) => Type.Object({ items: Type.Array(item), next: Nullable(Type.String({ description: 'cursor for the next (older) page' })) });

// `path` is left out on purpose: the storage layout is the recorder's business, not an API promise.
const Recording = Type.Object({
  id: Type.Integer(),
  incidentNumber: Type.String(),
  seq: Type.Integer({ description: 'piece number within the incident, 1 first' }),
  name: Type.String({ description: "Asterisk's recording name" }),
  source: Type.String({ description: 'call (the caller\'s MixMonitor, the usual case), bridge (a bridge recording) or fallback (answered while the service was away)' }),
  seatId: Nullable(Type.String()),
  callerNumber: Type.String(),
  startedAt: ms('ms since epoch'),
  endedAt: ms('ms since epoch'),
  durationMs: Type.Integer(),
  size: Type.Integer({ description: 'bytes, as stored' }),
  sha256: Type.String(),
});
const Access = Type.Object({
  id: Type.Integer(),
  recordingId: Type.Integer(),
  at: ms('ms since epoch'),
  who: Type.String({ description: 'the signed-in user; with sign-in off, X-User as sent or "anonymous"' }),
  action: Type.String({ description: 'listen or download' }),
  remote: Type.String({ description: 'client IP address' }),
  range: Nullable(Type.String({ description: 'the Range header, if any' })),
});
const SearchQuery = Type.Object(
  {
    incident: Type.Optional(Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number, YYYYMMDD-NNNNNN' })),
    callerNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'exact, as received' })),
    seat: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
    from: Type.Optional(ms('started at or after (ms)')),
    to: Type.Optional(ms('started before (ms)')),
    limit: limit(50),
    before,
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Int({ minimum: 1, maximum: 2 ** 53 - 1, description: 'a recording id' }) });
// Ajv coerces only "true"/"false" to a boolean; `?download=1` is what a link carries.
const AudioQuery = Type.Object(
  { download: Type.Optional(Type.String({ pattern: '^(0|1|true|false)$', description: '1 or true: send as an attachment (audited as download)' })) },
  { additionalProperties: false },
);
const AccessQuery = Type.Object({ recording: Type.Optional(Int({ minimum: 1, maximum: 2 ** 53 - 1 })), limit: limit(100), before }, { additionalProperties: false });

export type ByteRange = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range of RFC 9110 §14.1.2. Anything else (another unit, several ranges, a malformed
 * or inverted range) is ignored and the whole file sent, which §14.2 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? { kind: 'unsatisfiable' } : { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return { kind: 'full' };
  return start >= size ? { kind: 'unsatisfiable' } : { kind: 'partial', start, end: Math.min(last, size - 1) };
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim();
};

// Until sign-in exists (a later issue), `requireSupervisor` is the switch and the console says
// who it is in X-Role / X-User: anyone can set these headers, so this keeps honest users on the
// right screen and names them in the audit log; it is not security.
// With sign-in on, the route's declared roles and ownership (auth-guard.ts) replace this check.
function requireRole(req: FastifyRequest, required: boolean): void {
  if (required && !req.user && header(req, 'x-role').toLowerCase() !== 'supervisor') throw new HttpError(403, 'FORBIDDEN', 'supervisor role required');
}
const who = (req: FastifyRequest) => req.user?.name ?? (header(req, 'x-user').slice(0, 64) || 'anonymous');

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Opens the file of a recording, refusing a stored path that leaves the root (by `..` or a symlink). */
async function openFile(root: string, rec: RecordingHit): Promise<{ handle: FileHandle; size: number }> {
  const inside = (base: string, p: string) => {
    const rel = relative(base, p);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  const refused = () => new HttpError(500, 'RECORDING_PATH_REFUSED', `recording ${rec.id}: stored path ${JSON.stringify(rec.path)} leaves the storage root`);
  const missing = () => new HttpError(410, 'RECORDING_MISSING', `the audio file of recording ${rec.id} (incident ${rec.incidentNumber}, piece ${rec.seq}) is missing from storage`);
  if (isAbsolute(rec.path) || rec.path.includes('\0') || !inside(resolve(root), resolve(root, rec.path))) throw refused();
  let realRoot: string;
  let file: string;
  try {
    realRoot = await realpath(root);
    file = await realpath(resolve(realRoot, rec.path));
  } catch (err) {
    throw isMissing(err) ? missing() : err;
  }
  if (!inside(realRoot, file)) throw refused();
  const handle = await open(file, 'r').catch((err: unknown) => Promise.reject(isMissing(err) ? missing() : err));
  try {
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, size: stat.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  throw missing();
}

const pageOf = <T extends { id: number }>(rows: T[], limit: number) => {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? String(items[items.length - 1]!.id) : null };
};

export function recordingRoutes(app: FastifyInstance, deps: RecordingRouteDeps): void {
  const access = new RecordingAccessRepo(deps.db);
  const get = async (id: number) => {
    const rec = await findRecording(deps.db, id);
    if (!rec) throw new HttpError(404, 'RECORDING_NOT_FOUND', `no recording ${id}`);
    return rec;
  };

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/recordings',
    { config: { access: SUPERVISORS }, schema: { summary: 'Recordings by incident, caller number, seat and start time, newest first, paged', querystring: SearchQuery, response: { 200: page(Recording), 400: ErrorBody } } },
    async (req) => {
      const { before: cursor, ...q } = req.query;
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to) throw new HttpError(400, 'BAD_REQUEST', `from (${q.from}) must be before to (${q.to})`);
      const rows = await searchRecordings(deps.db, { ...q, limit: q.limit + 1, beforeId: cursor === undefined ? undefined : Number(cursor) });
      return pageOf(rows, q.limit);
    },
  );

  app.get<{ Querystring: Static<typeof AccessQuery> }>(
    '/recordings/access',
    { config: { access: SUPERVISORS }, schema: { summary: 'Who listened to or downloaded recordings, newest first (append-only)', querystring: AccessQuery, response: { 200: page(Access), 400: ErrorBody, 403: ErrorBody } } },
    async (req) => {
      requireRole(req, deps.requireSupervisor);
      const { recording, limit: n, before: cursor } = req.query;
      return pageOf(await access.list({ recordingId: recording, limit: n + 1, beforeId: cursor === undefined ? undefined : Number(cursor) }), n);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/recordings/:id',
    { config: { access: CALL_HANDLERS, owner: byRecording }, schema: { summary: 'One recording', params: IdParams, response: { 200: Recording, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => get(req.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof AudioQuery> }>(
    '/recordings/:id/audio',
    {
      // HEAD would be audited as a listen without audio: not offered.
      exposeHeadRoute: false,
      config: { access: CALL_HANDLERS, owner: byRecording, audit: (req) => ({ action: (req.query as { download?: string }).download?.match(/^(1|true)$/) ? 'recording.download' : 'recording.listen', detail: { range: header(req, 'range') || undefined } }) },
      schema: {
        summary: 'The WAV (8 kHz 16-bit mono), with byte ranges; every request that reaches the file is written to the access log',
        params: IdParams,
        querystring: AudioQuery,
        response: { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 410: ErrorBody, 416: ErrorBody },
      },
    },
    async (req, reply) => {
      requireRole(req, deps.requireSupervisor);
      const rec = await get(req.params.id);
      const { handle, size } = await openFile(deps.storageDir, rec);
      try {
        const rangeHeader = header(req, 'range') || null;
        // No validators are sent, so an If-Range can never match: the whole file (RFC 9110 §13.1.5).
        const range = req.headers['if-range'] === undefined ? parseRange(rangeHeader ?? undefined, size) : { kind: 'full' as const };
        const action = req.query.download === '1' || req.query.download === 'true' ? 'download' : 'listen';
        // Written before a byte is sent, for a 416 too: no audio leaves without its audit row. Refused,
        // unknown and missing recordings read nothing and are not written (the request log has them).
        await access.record({ recordingId: rec.id, at: Date.now(), who: who(req), action, remote: req.ip, range: rangeHeader?.slice(0, 200) ?? null });
        if (range.kind === 'unsatisfiable') {
          await handle.close();
          return reply.status(416).header('Content-Range', `bytes */${size}`).send({ error: 'RANGE_NOT_SATISFIABLE', message: `range ${rangeHeader} is outside the file (${size} bytes)` });
        }
        reply.header('Content-Type', 'audio/wav').header('Accept-Ranges', 'bytes').header('Cache-Control', 'no-store');
        if (action === 'download') reply.header('Content-Disposition', `attachment; filename="${rec.incidentNumber}-${rec.seq}.wav"`);
        if (size === 0) {
          await handle.close();
          return reply.header('Content-Length', 0).send(Buffer.alloc(0));
        }
        const { start, end } = range.kind === 'partial' ? range : { start: 0, end: size - 1 };
        if (range.kind === 'partial') reply.status(206).header('Content-Range', `bytes ${start}-${end}/${size}`);
        reply.header('Content-Length', end - start + 1);
        // The stream owns the handle from here (autoClose), also when the client goes away.
        return reply.send(createReadStream('', { fd: handle, start, end }));
      } catch (err) {
        await handle.close();
        throw err;
      }
    },
  );
}
