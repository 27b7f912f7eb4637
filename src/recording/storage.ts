// The recordings folder: files written so that a crash never leaves a half-registered file
// (write to .part, fsync, link into place, fsync the folder; the database row comes only after that).
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

export interface StoredFile {
  path: string; // relative to the storage root
  size: number;
  sha256: string;
}

/** YYYY/MM/DD/<incident>/<seq>.wav, by the date the recording started (local time). */
export function recordingPath(incident: string, seq: number, startedAt: number): string {
  const d = new Date(startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${incident}/${seq}.wav`;
}

/** The absolute path of a stored file; refuses anything that would leave the root. */
export function resolveInside(root: string, relative: string): string {
  const base = resolve(root);
  const full = resolve(base, relative);
  if (!full.startsWith(base + sep)) throw new Error(`recording path escapes the storage folder: ${relative}`);
  return full;
}

/** A stored file is never replaced: the caller takes another name (the next seq). */
export class FileExists extends Error {
  readonly code = 'FILE_EXISTS';
  override readonly name = this.constructor.name;
}

/**
 * Writes a new file; FileExists if `relative` is already there. link() rather than rename():
 * rename replaces an existing file, and two imports for one incident that drew the same seq lost
 * the first one's recording that way. The part file has a name of its own for the same reason.
 */
export async function storeAtomically(root: string, relative: string, data: Buffer): Promise<StoredFile> {
  const final = resolveInside(root, relative);
  await mkdir(dirname(final), { recursive: true });
  const part = `${final}.${randomUUID()}.part`;
  const file = await open(part, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(part, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExists(`${relative} is already stored`);
    throw err;
  } finally {
    await unlink(part);
  }
  const folder = await open(dirname(final), 'r');
  try {
    await folder.sync(); // the rename itself survives a power cut
  } finally {
    await folder.close();
  }
  return { path: relative, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Re-hashes one stored file: what the integrity check compares with the database. */
export async function hashFile(root: string, relative: string): Promise<{ size: number; sha256: string } | undefined> {
  const full = resolveInside(root, relative);
  try {
    await stat(full);
  } catch {
    return undefined;
  }
  const data = await readFile(full);
  return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Length of a PCM WAV in ms, from its header (byte rate and data chunk size). */
export function wavDurationMs(data: Buffer): number {
  if (data.length < 12 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') return 0;
  let byteRate = 0;
  for (let off = 12; off + 8 <= data.length; ) {
    const id = data.toString('ascii', off, off + 4);
    const size = data.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 16 <= data.length) byteRate = data.readUInt32LE(off + 8 + 8);
    if (id === 'data') {
      const bytes = Math.min(size, data.length - off - 8);
      return byteRate > 0 ? Math.round((bytes * 1000) / byteRate) : 0;
    }
    off += 8 + size + (size % 2);
  }
  return 0;
}
