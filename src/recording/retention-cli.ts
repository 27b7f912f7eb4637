// `npm run retention` (daily, from cron): deletes audio past `recording.retentionDays`, then checks
// free disk space. Exit 0 ok, 1 some files could not be deleted, 3 disk low (ALERT line), 2 error.
import { existsSync } from 'node:fs';
import { loadConfig, ConfigError } from '../config/load';
import { openStore } from '../store/database';
import { RetentionRepo } from '../store/retention-repo';
import { appendNow, cliActor } from '../audit/append-now';
import { applyRetention, diskAlert, diskStatus, retentionSummary } from './retention';

async function main(): Promise<number> {
  const file = process.env.CTI110_CONFIG ?? (existsSync('config/cti110.json') ? 'config/cti110.json' : undefined);
  const config = loadConfig(process.env, file);
  // The defaults stand in until the keys are in src/config/schema.ts; then this cast can go.
  const { storageDir, retentionDays, minFreeMb } = config.recording;
  const db = await openStore(config.store);
  let failed = 0;
  try {
    // No storage folder yet means nothing was ever recorded: nothing to delete, but the disk is still checked.
    if (existsSync(storageDir)) {
      const marked = (rec: { id: number; incidentNumber: string; path: string }, removed: boolean) =>
        appendNow(db, [{ actor: cliActor('retention'), action: removed ? 'recording.deleted' : 'recording.found_missing', incident: rec.incidentNumber, detail: { recording: rec.id, path: rec.path, retentionDays } }]);
      const r = await applyRetention(new RetentionRepo(db), { storageDir, retentionDays, now: Date.now(), marked });
      for (const m of r.missing) process.stdout.write(`MISSING recording ${m.id} (incident ${m.incidentNumber}) ${m.path}: already gone; marked deleted\n`);
      for (const f of r.failed) process.stdout.write(`FAILED recording ${f.rec.id} (incident ${f.rec.incidentNumber}) ${f.rec.path}: ${f.reason}\n`);
      process.stdout.write(`${retentionSummary(r, retentionDays)}\n`);
      failed = r.failed.length;
    } else {
      process.stdout.write(`retention: no storage folder ${storageDir} yet: nothing to delete\n`);
    }
  } finally {
    await db.close();
  }
  // After the deletions, so that space they freed counts.
  const disk = await diskStatus(storageDir, minFreeMb * 1048576);
  if (disk.low) {
    process.stdout.write(`${diskAlert(disk)}\n`);
    return 3;
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `retention: ${err.message}`}\n`);
    process.exit(2);
  },
);
