// Asterisk's stored recordings read and removed in its own folder, when this machine sees that
// folder (the embedded one-node setup, or a shared mount): `ari.recordingsDir`. Every call leaves
// two files there (the MixMonitor WAV and the caller's side for instant recall); fetching and
// deleting them over ARI was three of the ten requests of a call, each a loopback write and an
// HTTP request Asterisk serves (issue #15). Anything not found here (another format, a folder not
// mounted, a name that is not a plain file name) goes over ARI as before.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The formats cti110 records in (recording.ts, the dialplan's MixMonitor): others go over ARI. */
const FORMATS = ['wav', 'sln'];
/**
 * The caller's side of a call (recall_...) is slin, everything else WAV: that one first, so that a
 * call's files are found at the first try (a failed unlink or read costs an error object each).
 */
const formatsOf = (name: string): string[] => (name.startsWith('recall_') ? ['sln', 'wav'] : FORMATS);
/** A stored recording's name as Asterisk's folder has it: no path, no hidden file. */
const PLAIN_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$/;

export class LocalRecordings {
  constructor(private readonly dir: string) {}

  /** The recording's file; undefined when it is not in the folder (ask ARI). */
  read(name: string): Promise<Buffer | undefined> {
    return this.firstFormat(name, (file) => readFile(file));
  }

  /** Removes the recording's file; false when none was there (ask ARI, which knows every format). */
  async remove(name: string): Promise<boolean> {
    // One file a name: Asterisk's stored recordings are one format each here.
    return (await this.firstFormat(name, (file) => unlink(file).then(() => true))) ?? false;
  }

  /** `op` on the name's file in the first format it exists in; undefined when in none (or not a plain name). */
  private async firstFormat<T>(name: string, op: (file: string) => Promise<T>): Promise<T | undefined> {
    if (!PLAIN_NAME.test(name)) return undefined;
    for (const format of formatsOf(name)) {
      try {
        return await op(join(this.dir, `${name}.${format}`));
      } catch {
        // not this format, or not reachable here: the next, then ARI
      }
    }
    return undefined;
  }
}
