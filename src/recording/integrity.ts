// Integrity check: every registered recording re-hashed and compared with its stored SHA-256.
import type { RecordingsRepo } from '../store/recordings-repo';
import { hashFile } from './storage';

export interface IntegrityProblem {
  id: number;
  incident: string;
  path: string;
  problem: 'missing' | 'changed';
  detail: string;
}

export async function checkRecordings(repo: RecordingsRepo, storageDir: string): Promise<{ checked: number; problems: IntegrityProblem[] }> {
  const problems: IntegrityProblem[] = [];
  const rows = await repo.all();
  for (const row of rows) {
    const now = await hashFile(storageDir, row.path);
    if (!now) {
      problems.push({ id: row.id, incident: row.incidentNumber, path: row.path, problem: 'missing', detail: 'file not found' });
    } else if (now.sha256 !== row.sha256 || now.size !== row.size) {
      problems.push({ id: row.id, incident: row.incidentNumber, path: row.path, problem: 'changed', detail: `sha256 ${now.sha256} (stored ${row.sha256}), size ${now.size} (stored ${row.size})` });
    }
  }
  return { checked: rows.length, problems };
}
