// Calls answered without a stored recording (issue #15: the run fails on any). cti110: its REST
// API (GET /recordings, caller number per recording); Queue(): the baseline's MixMonitor files,
// named with the caller's number (conf.ts bench-record). A recording is stored a little after its
// call ends, so the count waits for it (bounded) before it is final.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, type Sandbox, type Service } from '../../test/support/harness';
import { BASELINE_REC_DIR } from './conf';

export interface RecordingCheck {
  answered: number;
  /** Answered calls with no recording once the wait was over. */
  missing: number;
  /** How long the stored recordings took to catch up (or the bound, if they never did). */
  waitedMs: number;
  /** A few of the missing callers' numbers, to look up in the service's log. */
  examples: string[];
}

/** Caller numbers with a recording since `fromMs`, newest first, every page. */
async function serviceRecorded(service: Service, fromMs: number): Promise<Set<string>> {
  const out = new Set<string>();
  let before: string | null = null;
  do {
    const page: { status: number; body: { items: { callerNumber: string }[]; next: string | null } } = await service.get(`/recordings?limit=500&from=${Math.max(0, Math.floor(fromMs))}${before ? `&before=${before}` : ''}`);
    if (page.status !== 200) throw new Error(`GET /recordings: ${page.status}`);
    for (const r of page.body.items) out.add(r.callerNumber);
    before = page.body.next;
  } while (before);
  return out;
}

/** A WAV header alone (44 bytes) is no recording. */
function baselineRecorded(sandbox: Sandbox): Set<string> {
  const dir = join(sandbox.chroot, sandbox.instanceDir, BASELINE_REC_DIR);
  const out = new Set<string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // no file yet
  }
  for (const name of names) {
    const m = /^base_(\d+)_/.exec(name);
    if (!m) continue;
    try {
      if (statSync(join(dir, name)).size > 44) out.add(m[1]);
    } catch {
      /* removed meanwhile */
    }
  }
  return out;
}

/**
 * answered: the phase's callers SIPp saw answered. Waits until all have a recording, giving up
 * after `quietMs` without progress or `maxMs` in all.
 */
export async function checkRecordings(source: { service: Service; fromMs: number } | { sandbox: Sandbox }, answered: string[], quietMs = 15000, maxMs = 90000): Promise<RecordingCheck> {
  const started = Date.now();
  let lastProgress = started;
  let missing = answered;
  for (;;) {
    const recorded = 'service' in source ? await serviceRecorded(source.service, source.fromMs) : baselineRecorded(source.sandbox);
    const now = answered.filter((c) => !recorded.has(c));
    if (now.length < missing.length) lastProgress = Date.now();
    missing = now;
    if (missing.length === 0 || Date.now() - lastProgress > quietMs || Date.now() - started > maxMs) break;
    await sleep(1000);
  }
  return { answered: answered.length, missing: missing.length, waitedMs: Date.now() - started, examples: missing.slice(0, 5) };
}
