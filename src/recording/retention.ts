// Recording retention and the disk check. Audio past its retention is deleted; the row, hash and
// access trail stay. Recordings of an open incident are never deleted, however old.
import { realpath, rmdir, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { ExpiredRecording, RetentionRepo } from '../store/retention-repo';
import { resolveInside } from './storage';

const DAY_MS = 24 * 3600_000;

export interface RetentionOptions {
  storageDir: string;
  /** Config `recording.retentionDays`; 0 keeps every recording forever. */
  retentionDays: number;
  now: number;
  /** Told of each recording marked deleted (its file removed, or found gone): the audit chain. */
  marked?: (rec: ExpiredRecording, fileRemoved: boolean) => Promise<void>;
}

export interface RetentionResult {
  deleted: number;
  deletedBytes: number;
  /** Recordings that still have their audio after the run. */
  kept: number;
  /** Past retention but kept: their incident is still open. */
  keptOpen: number;
  /** Past retention and already gone from disk: marked deleted, reported so it is not silent. */
  missing: ExpiredRecording[];
  /** Not deleted (refused path, I/O error): left as they were for the next run. */
  failed: { rec: ExpiredRecording; reason: string }[];
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? '';
const within = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/**
 * Deletes one file of the storage. resolveInside refuses `..`; the real path of its folder is
 * checked too, because a symlinked folder inside the root could otherwise lead unlink outside it.
 * Returns false when the file was already gone.
 */
async function deleteStoredFile(root: string, realRoot: string, path: string): Promise<boolean> {
  const full = resolveInside(root, path);
  let folder: string;
  try {
    folder = await realpath(dirname(full));
  } catch (err) {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  }
  if (!within(realRoot, folder)) throw new Error(`folder of ${path} resolves outside the storage folder`);
  try {
    await unlink(join(folder, basename(full)));
  } catch (err) {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  }
  // Empty day/incident folders would pile up for years; rmdir removes only empty ones and the
  // first refusal (not empty, or anything else) ends the walk: a left-over empty folder is harmless.
  for (let dir = folder; dir !== realRoot && within(realRoot, dir); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      break;
    }
  }
  return true;
}

export async function applyRetention(repo: RetentionRepo, opts: RetentionOptions): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: 0, deletedBytes: 0, kept: 0, keptOpen: 0, missing: [], failed: [] };
  if (opts.retentionDays > 0) {
    const realRoot = await realpath(opts.storageDir);
    for (const rec of await repo.expired(opts.now - opts.retentionDays * DAY_MS)) {
      if (rec.incidentOpen) {
        result.keptOpen += 1;
        continue;
      }
      try {
        // File first, row second: a crash in between leaves a row whose file is gone, which the
        // next run finds (ENOENT) and marks; the other order could leave audio nobody will delete.
        const removed = await deleteStoredFile(opts.storageDir, realRoot, rec.path);
        await repo.markDeleted(rec.id, opts.now);
        await opts.marked?.(rec, removed);
        if (removed) {
          result.deleted += 1;
          result.deletedBytes += rec.size;
        } else {
          result.missing.push(rec);
        }
      } catch (err) {
        result.failed.push({ rec, reason: (err as Error).message });
      }
    }
  }
  result.kept = await repo.countWithAudio();
  return result;
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

export function retentionSummary(r: RetentionResult, retentionDays: number): string {
  const extra = [
    retentionDays === 0 ? 'retention off (recording.retentionDays = 0)' : '',
    r.missing.length ? `already missing ${r.missing.length}` : '',
    r.failed.length ? `FAILED ${r.failed.length}` : '',
  ].filter(Boolean);
  return `retention: deleted ${r.deleted} files (${mb(r.deletedBytes)} MB), kept ${r.kept} (open incidents: ${r.keptOpen})${extra.length ? `; ${extra.join('; ')}` : ''}`;
}

export interface DiskStatus {
  /** The folder whose file system was measured (the storage folder, or its nearest existing parent). */
  path: string;
  freeBytes: number;
  totalBytes: number;
  minFreeBytes: number;
  low: boolean;
}

/**
 * Free space where recordings are written. `bavail` (not `bfree`): blocks reserved for root do
 * not help a service that does not run as root. A storage folder not created yet is measured on
 * its nearest existing parent, the file system it will be created on.
 */
export async function diskStatus(storageDir: string, minFreeBytes: number): Promise<DiskStatus> {
  let path = storageDir;
  for (;;) {
    try {
      const s = await statfs(path);
      const freeBytes = s.bavail * s.bsize;
      return { path, freeBytes, totalBytes: s.blocks * s.bsize, minFreeBytes, low: freeBytes < minFreeBytes };
    } catch (err) {
      if (errno(err) !== 'ENOENT' || dirname(path) === path) throw err;
      path = dirname(path);
    }
  }
}

export function diskAlert(d: DiskStatus): string {
  return `ALERT: recordings disk low: ${mb(d.freeBytes)} MB free on ${d.path} (minimum ${mb(d.minFreeBytes)} MB); recording will fail when it is full`;
}
