// Every ARI event the calls area reacts to, in one table (grep here to find every path in).
import type { Logger } from 'pino';
import type { AriConnection } from '../asterisk/ari-connection';
import type { AriEvent } from '../asterisk/ari-events';
import type { Telephony } from '../asterisk/telephony';
import type { CallService } from './call-service';

/** Stasis() arguments set by dialplan/extensions.conf for callers; anything else is not a caller. */
const CALLER_ENTRIES = new Set(['110', 'from12345']);

/** Asterisk's creationtime looks like 2026-11-23T19:30:00.123+0800; Date.parse wants +08:00. */
export function parseAsteriskTime(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const ms = Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : fallback;
}

export function bindStasis(ari: AriConnection, telephony: Telephony, calls: CallService, log: Logger): void {
  const handlers: { [K in AriEvent['type']]?: (e: Extract<AriEvent, { type: K }>) => void } = {
    StasisStart: (e) => {
      const entry = e.args[0] ?? '';
      if (!CALLER_ENTRIES.has(entry)) {
        log.warn({ channel: e.channel.id, args: e.args }, 'StasisStart with unknown entry ignored');
        return;
      }
      calls.arrived({
        channelId: e.channel.id,
        callerNumber: e.channel.caller?.number ?? '',
        callerName: e.channel.caller?.name ?? '',
        callerRaw: e.channel.channelvars?.CTI110_FROM ?? '',
        trunk: entry,
        arrivedAt: parseAsteriskTime(e.channel.creationtime, Date.now()),
      });
    },
    StasisEnd: (e) => calls.callerLeft(e.channel.id, {}),
  };

  ari.on('event', (event) => {
    const handler = handlers[event.type] as ((e: AriEvent) => void) | undefined;
    handler?.(event);
  });

  ari.on('up', () => {
    telephony
      .listChannels()
      .then((live) => calls.reconcile(live))
      .catch((err: Error) => log.error({ err: err.message }, 'reconcile after connect failed'));
  });
}
