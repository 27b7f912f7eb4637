// `npm run check-recordings`: re-hashes every recording; exit 1 when any changed or went missing.
import { existsSync } from 'node:fs';
import { loadConfig, ConfigError } from '../config/load';
import { openStore } from '../store/database';
import { RecordingsRepo } from '../store/recordings-repo';
import { checkRecordings } from './integrity';

async function main(): Promise<number> {
  const file = process.env.CTI110_CONFIG ?? (existsSync('config/cti110.json') ? 'config/cti110.json' : undefined);
  const config = loadConfig(process.env, file);
  const db = await openStore(config.store);
  try {
    const { checked, problems } = await checkRecordings(new RecordingsRepo(db), config.recording.storageDir);
    for (const p of problems) process.stdout.write(`${p.problem.toUpperCase()} recording ${p.id} (incident ${p.incident}) ${p.path}: ${p.detail}\n`);
    process.stdout.write(`checked ${checked} recordings: ${problems.length === 0 ? 'all intact' : `${problems.length} changed or missing`}\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `check-recordings: ${err.message}`}\n`);
    process.exit(2);
  },
);
