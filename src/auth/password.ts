// Password hashing with Node's own scrypt: memory-hard, on OWASP's list, maintained with Node
// itself (no native add-on to build on a police network without a compiler). The parameters are
// stored with each hash so they can be raised later without invalidating old passwords.
//
// Hashing runs in one worker thread of its own, one hash at a time, with a bounded backlog.
// Node's async scrypt would run on libuv's threadpool (4 threads), which node-sqlite3 shares:
// 40 sign-ins hashing at once kept every incident write waiting and a 110 call was offered to a
// seat 21 s late. scryptSync inside a worker uses that worker's own thread, not the pool; a full
// backlog is refused (HasherBusy) rather than queued without end.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// OWASP (2024): N=2^16, r=8, p=2 is one of the recommended scrypt settings; 64 MiB per hash.
const COST = { N: 2 ** 16, r: 8, p: 2 };
const KEY_LENGTH = 32;

// Evaluated as CommonJS in the worker: no file to find next to the compiled one.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', (job) => {
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt, 'base64'), job.keyLength, { N: job.N, r: job.r, p: job.p, maxmem: job.maxmem });
    parentPort.postMessage({ id: job.id, key: key.toString('base64') });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message) });
  }
});`;

export class HasherBusy extends Error {
  readonly code = 'SIGN_IN_BUSY';
  override readonly name = this.constructor.name;
  constructor(readonly retryAfterMs: number) {
    super('too many sign-ins at once: try again in a moment');
  }
}

type Cost = { N: number; r: number; p: number };
interface Job {
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

export class PasswordHasher {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private decoy: Promise<string> | undefined;

  /** backlog: hashes waiting or running before new ones are refused. */
  constructor(private readonly backlog = 8) {}

  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, COST);
    return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    const expected = Buffer.from(parts[5]!, 'base64');
    const key = await this.derive(password, Buffer.from(parts[4]!, 'base64'), { N, r, p });
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** A hash of nothing, verified against when the user does not exist: same time, no user oracle. */
  decoyHash(): Promise<string> {
    if (!this.decoy) {
      this.decoy = this.hash(randomBytes(16).toString('hex'));
      this.decoy.catch(() => (this.decoy = undefined)); // refused (busy): made on a later attempt
    }
    return this.decoy;
  }

  /** True when a new hash would be refused now. */
  get full(): boolean {
    return this.jobs.size >= this.backlog;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private derive(password: string, salt: Buffer, o: Cost): Promise<Buffer> {
    // About one hash time per job ahead; at least a second (Retry-After has 1 s steps).
    if (this.full) return Promise.reject(new HasherBusy(1000));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      // A worker with jobs keeps the process alive (the add-user CLI awaits one); an idle one does not.
      worker.ref();
      worker.postMessage({ id, password: password.normalize('NFC'), salt: salt.toString('base64'), keyLength: KEY_LENGTH, ...o, maxmem: 256 * o.N * o.r + 1024 * 1024 });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { id: number; key?: string; error?: string }) => {
      const job = this.jobs.get(m.id);
      this.jobs.delete(m.id);
      if (this.jobs.size === 0) w.unref();
      if (!job) return;
      if (m.key !== undefined) job.resolve(Buffer.from(m.key, 'base64'));
      else job.reject(new Error(`scrypt failed: ${m.error}`));
    });
    // A dead worker fails what it held; the next hash starts a new one.
    const died = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const job of this.jobs.values()) job.reject(err);
      this.jobs.clear();
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`password worker exited (${code})`)));
    this.worker = w;
    return w;
  }
}
