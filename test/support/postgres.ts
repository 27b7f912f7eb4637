// A real PostgreSQL for a test file: a throwaway cluster from scripts/pg-sandbox.sh on a free
// loopback port, started once and destroyed (stopped, folder deleted) when the file's tests end.
// Never a mock: what the tests check is how the engine behaves.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './harness';

const SCRIPT = resolve(__dirname, '../../../scripts/pg-sandbox.sh');
const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://... of the cluster's `cti110` database. */
  readonly url: string;
  /** A new empty database in the cluster, for one test: its URL. */
  freshDatabase(): Promise<string>;
  /** Stops the server (fast: sessions cut, committed data kept); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function script(...args: string[]): Promise<string> {
  return (await run('bash', [SCRIPT, ...args], { timeout: 120000 })).stdout.trim();
}

/** Starts a cluster; `t.teardown` destroys it. */
export async function startPostgres(t: Teardown): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'cti110-pg-'));
  const port = String(await freePort());
  t.teardown(() => script('destroy', dir));
  const url = await script('start', dir, port);
  let databases = 0;
  return {
    url,
    async freshDatabase() {
      const name = `t${++databases}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url.replace(/\/cti110$/, `/${name}`);
    },
    stop: async () => void (await script('stop', dir)),
    start: async () => void (await script('start', dir, port)),
  };
}
