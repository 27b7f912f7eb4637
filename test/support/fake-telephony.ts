// A fake of our own Telephony port for unit tests of call-control decisions: every request is
// recorded and succeeds (or fails, when told), and the test plays Asterisk's events itself.
import type { Logger } from 'pino';
import pino from 'pino';
import type { Telephony } from '../../src/asterisk/telephony';
import { Faults } from '../../src/events/faults';
import { Seats, type SeatConfig } from '../../src/queue/seats';
import type { SeatsRepo } from '../../src/store/seats-repo';

export interface Request {
  op: keyof Telephony;
  args: unknown[];
}

export class FakeTelephony {
  readonly requests: Request[] = [];
  /** Operations that reject, e.g. { hangup: new Error('boom') }. */
  readonly failing: Partial<Record<keyof Telephony, Error>> = {};

  /** The port itself: every method records its call and resolves (lists are empty). */
  readonly port: Telephony = new Proxy({} as Telephony, {
    // sameNode is absent, as with one Asterisk node (a test of several nodes gives its own).
    get: (_target, op: keyof Telephony) => (op === 'sameNode' ? undefined : async (...args: unknown[]) => {
      this.requests.push({ op, args });
      const err = this.failing[op];
      if (err) throw err;
      return op.startsWith('list') ? [] : op === 'downloadRecording' ? Buffer.alloc(0) : op === 'isRecordingLive' ? false : undefined;
    }),
  });

  /** The calls of one operation, e.g. calls('hangup') → [['leg-1'], ...]. */
  calls(op: keyof Telephony): unknown[][] {
    return this.requests.filter((r) => r.op === op).map((r) => r.args);
  }

  /** Channel ids created (or originated) so far, in order. */
  created(): string[] {
    return this.requests.filter((r) => r.op === 'createChannel' || r.op === 'originate').map((r) => (r.args[0] as { channelId: string }).channelId);
  }
}

export const silentLog = (): Logger => pino({ level: 'silent' });

/** Seats 1001.. on PJSIP/<id>, phones reachable, nothing stored; `faults` collects what is contained. */
export function fakeSeats(ids: string[], faults = new Faults(silentLog()), wrapUpMs = 0): { seats: Seats; faults: Faults; events: { seat: string; kind: string; detail: Record<string, unknown> }[] } {
  const events: { seat: string; kind: string; detail: Record<string, unknown> }[] = [];
  const repo = { save: async () => undefined, addEvent: async (seat: string, kind: string, detail: Record<string, unknown>) => void events.push({ seat, kind, detail }), all: async () => [] } as unknown as SeatsRepo;
  const configs: SeatConfig[] = ids.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true }));
  const seats = new Seats(configs, 'ring', repo, wrapUpMs, silentLog(), faults);
  for (const id of ids) seats.setReachable(`PJSIP/${id}`, true);
  return { seats, faults, events };
}
