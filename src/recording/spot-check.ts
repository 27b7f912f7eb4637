// Daily spot-check of handled calls: an unbiased random sample per day, drawn once, scored once.
import type { SpotCheckRow, SpotChecksRepo } from '../store/spot-checks-repo';

export const MAX_SAMPLE_SIZE = 200;
export const MAX_NOTE_LENGTH = 1000;

export type SpotCheckErrorCode = 'BAD_DAY' | 'BAD_SAMPLE_SIZE' | 'BAD_SCORE' | 'SPOT_CHECK_NOT_FOUND' | 'SPOT_CHECK_SCORED';

/** Mapped to HTTP by code in src/http/errors.ts (400, 400, 400, 404, 409). */
export class SpotCheckError extends Error {
  override readonly name = this.constructor.name;
  constructor(
    readonly code: SpotCheckErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Day {
  day: string; // YYYY-MM-DD
  from: number; // local midnight, ms
  to: number; // the next local midnight (23 or 25 hours later on a DST change)
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local (centre's) calendar day of `ms`, as YYYY-MM-DD. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A YYYY-MM-DD that names a real calendar day, with its local bounds. */
export function parseDay(text: string): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const start = new Date(y, mo - 1, d);
  // Date rolls 2026-02-30 over to March 2nd (and years below 100 to 19xx): a round trip catches both.
  if (!m || start.getFullYear() !== y || start.getMonth() !== mo - 1 || start.getDate() !== d) {
    throw new SpotCheckError('BAD_DAY', `day ${JSON.stringify(text)} is not a calendar day (YYYY-MM-DD)`);
  }
  return { day: text, from: start.getTime(), to: new Date(y, mo - 1, d + 1).getTime() };
}

/**
 * `size` items of `items` chosen uniformly (a partial Fisher–Yates shuffle: every subset of that
 * size is equally likely when `random` is uniform in [0, 1)). `items` is not changed.
 */
export function sample<T>(items: readonly T[], size: number, random: () => number): T[] {
  const pool = items.slice();
  const n = Math.min(size, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

export interface Score {
  speed: number;
  attitude: number;
  correctness: number;
  note?: string | null;
}

/** A sampled call as the API shows it: the stored row, with its score fields gathered in one. */
export type SpotCheckItem = Omit<SpotCheckRow, 'scoredAt' | 'scorer' | 'speed' | 'attitude' | 'correctness' | 'note'> & {
  score: (Required<Score> & { scorer: string; scoredAt: number }) | null;
};

export interface DaySample {
  day: string;
  /** When the day's sample was drawn; null when it has none yet. */
  drawnAt: number | null;
  items: SpotCheckItem[];
}

function toItem(r: SpotCheckRow): SpotCheckItem {
  const { scoredAt, scorer, speed, attitude, correctness, note, ...rest } = r;
  const score = scoredAt === null ? null : { speed: speed!, attitude: attitude!, correctness: correctness!, note, scorer: scorer!, scoredAt };
  return { ...rest, score };
}

/** Checked here as well as by the route schema, so that a caller other than HTTP gets the same rules. */
export function checkScore(s: Score): void {
  for (const key of ['speed', 'attitude', 'correctness'] as const) {
    const v = s[key];
    if (!Number.isInteger(v) || v < 1 || v > 5) throw new SpotCheckError('BAD_SCORE', `${key} must be an integer from 1 to 5, got ${JSON.stringify(v)}`);
  }
  if (s.note != null && s.note.length > MAX_NOTE_LENGTH) throw new SpotCheckError('BAD_SCORE', `note is ${s.note.length} characters, at most ${MAX_NOTE_LENGTH}`);
}

export interface SpotCheckOptions {
  /** Default sample size (config `spotCheck.sampleSize`). */
  sampleSize: number;
  /** Uniform in [0, 1); tests pass a seeded one. */
  random?: () => number;
  clock?: () => number;
}

export class SpotChecks {
  private readonly random: () => number;
  private readonly clock: () => number;

  constructor(
    private readonly repo: SpotChecksRepo,
    private readonly opts: SpotCheckOptions,
  ) {
    this.random = opts.random ?? Math.random;
    this.clock = opts.clock ?? Date.now;
  }

  /**
   * Draws the day's sample (default today) unless it has one: then that one is returned, whatever
   * `size` says. Drawn today, the sample covers calls handled so far; drawing the day before after
   * midnight covers a whole day. A day without handled calls gets no sample, so a later draw tries again.
   */
  async draw(dayText?: string, size = this.opts.sampleSize): Promise<DaySample & { created: boolean }> {
    const now = this.clock();
    const day = this.day(dayText, now);
    if (!Number.isInteger(size) || size < 1 || size > MAX_SAMPLE_SIZE) throw new SpotCheckError('BAD_SAMPLE_SIZE', `size must be an integer from 1 to ${MAX_SAMPLE_SIZE}, got ${size}`);
    if (day.from > now) throw new SpotCheckError('BAD_DAY', `day ${day.day} has not begun: nothing to draw from`);
    // Only the first draw of a day inserts; reading the population again after it costs one query.
    const existing = await this.repo.forDay(day.day);
    if (existing.length > 0) return { ...this.result(day.day, existing), created: false };
    const chosen = sample(await this.repo.handledIncidentIds(day.from, day.to), size, this.random);
    const inserted = await this.repo.insertSample(day.day, chosen, now);
    return { ...this.result(day.day, await this.repo.forDay(day.day)), created: inserted > 0 };
  }

  async list(dayText?: string): Promise<DaySample> {
    const day = this.day(dayText, this.clock());
    return this.result(day.day, await this.repo.forDay(day.day));
  }

  /** The scorer is whoever the caller says (see the route); a score is final. */
  async score(id: number, scorer: string, s: Score): Promise<SpotCheckItem> {
    checkScore(s);
    const scored = await this.repo.score(id, { scorer, at: this.clock(), speed: s.speed, attitude: s.attitude, correctness: s.correctness, note: s.note ?? null });
    const row = await this.repo.find(id);
    if (!row) throw new SpotCheckError('SPOT_CHECK_NOT_FOUND', `no spot-check item ${id}`);
    if (!scored) throw new SpotCheckError('SPOT_CHECK_SCORED', `spot-check item ${id} was already scored by ${row.scorer} at ${new Date(row.scoredAt!).toISOString()}; a score is final`);
    return toItem(row);
  }

  private day(text: string | undefined, now: number): Day {
    return parseDay(text ?? localDay(now));
  }

  private result(day: string, rows: SpotCheckRow[]): DaySample {
    return { day, drawnAt: rows[0]?.drawnAt ?? null, items: rows.map(toItem) };
  }
}
