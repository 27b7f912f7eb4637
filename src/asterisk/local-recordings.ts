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
/** A stored recording's name as Asterisk's folder has it: no path, no hidden file. */
const PLAIN_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$/;

export class LocalRecordings {
  constructor(private readonly dir: string) {}

  /** The recording's file; undefined when it is not in the folder (ask ARI). */
  async read(name: string): Promise<Buffer | undefined> {
    if (!PLAIN_NAME.test(name)) return undefined;
    for (const format of FORMATS) {
      try {
        return await readFile(join(this.dir, `${name}.${format}`));
      } catch {
        // not this format, or not readable here: the next, then ARI
      }
    }
    return undefined;
  }

  /** Removes the recording's files; false when none was there (ask ARI, which knows every format). */
  async remove(name: string): Promise<boolean> {
    if (!PLAIN_NAME.test(name)) return false;
    const removed = await Promise.all(FORMATS.map((format) => unlink(join(this.dir, `${name}.${format}`)).then(() => true, () => false)));
    return removed.includes(true);
  }
}
