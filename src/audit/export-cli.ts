// `npm run export-incident -- <number> [--out <file>]`: an incident's whole record as one signed
// JSON file (stdout by default), signed with the service's key; check it with
// `npm run check-audit -- --export <file>`. Exit 1: no such incident; 2: error.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliConfig, runCli } from '../config/cli';
import { openStore } from '../store/database';
import { exportIncident } from './export';
import { keyFileOf, loadKey } from './keys';
import { appendNow, cliActor } from './append-now';

const USAGE = 'usage: npm run export-incident -- <incident number> [--out <file>]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  const number = parsed.positionals[0];
  if (!number || !/^[0-9]{8}-[0-9]{6,}$/.test(number)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = cliConfig();
  const key = loadKey(keyFileOf(config.audit.keyFile, config.store.path));
  const db = await openStore(config.store);
  try {
    // The export itself is on record, before it is made (it then lists itself).
    await appendNow(db, [{ actor: cliActor('export-incident'), action: 'incident.exported', incident: number, detail: { out: parsed.values.out ?? 'stdout' } }]);
    const doc = await exportIncident(db, number, key);
    if (!doc) {
      process.stderr.write(`export-incident: no incident ${number}\n`);
      return 1;
    }
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (parsed.values.out) writeFileSync(parsed.values.out, text);
    else process.stdout.write(text);
    return 0;
  } finally {
    await db.close();
  }
}

runCli('export-incident', main);
