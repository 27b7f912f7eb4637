// `npm run check-audit`: verifies the audit chain (every link, every anchor's signature) and
// every recording's hash; names the first broken entry. Exit 0 all intact, 1 something broken,
// 2 error (no key, no store). `--export <file>` verifies a signed incident export instead.
// `--public-key <file>` (repeatable) adds keys to trust besides the service's own key file.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../config/load';
import { cliConfig, runCli } from '../config/cli';
import type { Config } from '../config/schema';
import { openStore } from '../store/database';
import { AuditRepo } from '../store/audit-repo';
import { RecordingsRepo } from '../store/recordings-repo';
import { checkRecordings } from '../recording/integrity';
import { checkChain } from './check';
import { verifyExport } from './export';
import { keyFileOf, loadPublicKey } from './keys';

const USAGE = 'usage: npm run check-audit [-- --export <file>] [--public-key <pem file>]...';

function trustedKeys(config: Config, extra: readonly string[]): KeyObject[] {
  const own = keyFileOf(config.audit.keyFile, config.store.path);
  const files = [...extra, ...(existsSync(`${own}.pub`) ? [`${own}.pub`] : existsSync(own) ? [own] : [])];
  if (!files.length) throw new ConfigError(`check-audit: no public key: ${own}.pub not found (give --public-key <file>)`);
  return files.map((f) => loadPublicKey(f));
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { export: { type: 'string' }, 'public-key': { type: 'string', multiple: true } }, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  const config = cliConfig();
  const keys = trustedKeys(config, args['public-key'] ?? []);
  if (args.export) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(args.export, 'utf8'));
    } catch (err) {
      process.stdout.write(`BROKEN export ${args.export}: not readable JSON (${(err as Error).message})\n`);
      return 1;
    }
    const r = verifyExport(doc, keys);
    for (const p of r.problems) process.stdout.write(`BROKEN export ${args.export}: ${p}\n`);
    if (r.ok) process.stdout.write(`export ${args.export}: signature good (key ${r.keyId})\n`);
    return r.ok ? 0 : 1;
  }
  const db = await openStore(config.store);
  try {
    const chain = await checkChain(new AuditRepo(db), keys);
    for (const a of chain.badAnchors) process.stdout.write(`BROKEN anchor ${a.day}: ${a.reason}\n`);
    if (chain.broken) process.stdout.write(`BROKEN audit entry ${chain.broken.id}: ${chain.broken.reason}\n`);
    process.stdout.write(`audit chain: ${chain.entries} entries, ${chain.anchors} anchors: ${chain.broken || chain.badAnchors.length ? 'BROKEN' : 'intact'}\n`);
    const recordings = await checkRecordings(new RecordingsRepo(db), config.recording.storageDir);
    for (const p of recordings.problems) process.stdout.write(`${p.problem.toUpperCase()} recording ${p.id} (incident ${p.incident}) ${p.path}: ${p.detail}\n`);
    process.stdout.write(`checked ${recordings.checked} recordings: ${recordings.problems.length === 0 ? 'all intact' : `${recordings.problems.length} changed or missing`}\n`);
    return chain.broken || chain.badAnchors.length || recordings.problems.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

runCli('check-audit', main);
