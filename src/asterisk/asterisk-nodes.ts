// The service's links to its Asterisk nodes: one ARI connection to each. With one node (`ari.url`,
// the default) this is that connection and its AriTelephony, exactly as before issue #16; with
// `ari.nodes` (two or more) the node router sits over them (node-router.ts).
import type { Logger } from 'pino';
import { AriConnection, type AriSettings, type RequestObserver } from './ari-connection';
import { AriTelephony } from './ari-telephony';
import { LocalRecordings } from './local-recordings';
import { NodeRoutedTelephony, type AriEventSource } from './node-router';
import type { Telephony } from './telephony';

export interface NodeSettings extends AriSettings {
  nodes?: { name: string; url: string }[];
  /** One node's recordings folder as this machine sees it (local-recordings.ts); '' = over ARI. */
  recordingsDir?: string;
}

export class AsteriskNodes {
  readonly links: { name: string; ari: AriConnection }[];
  /** The port the domain acts through (not yet retried: main.ts wraps it). */
  readonly telephony: Telephony;
  /** Where the domain hears Asterisk: the one connection, or the router merging every node's. */
  readonly events: AriEventSource;

  constructor(settings: NodeSettings, log: Logger) {
    const nodes = settings.nodes?.length ? settings.nodes : [{ name: 'default', url: settings.url }];
    this.links = nodes.map(({ name, url }) => ({ name, ari: new AriConnection({ ...settings, url }, nodes.length > 1 ? log.child({ node: name }) : log) }));
    if (this.links.length === 1) {
      const { ari } = this.links[0]!;
      this.telephony = new AriTelephony(ari, settings.app, settings.recordingsDir ? new LocalRecordings(settings.recordingsDir) : undefined);
      this.events = ari;
    } else {
      // Each node's recordings over its ARI: one folder setting would not say whose it is.
      const router = new NodeRoutedTelephony(
        this.links.map(({ name, ari }) => ({ name, telephony: new AriTelephony(ari, settings.app), events: ari })),
        log,
      );
      this.telephony = router;
      this.events = router;
    }
  }

  guardWith(acting: () => boolean): void {
    for (const { ari } of this.links) ari.guardWith(acting);
  }

  observeRequests(observer: RequestObserver): void {
    for (const { ari } of this.links) ari.observeRequests(observer);
  }

  /** Requests waiting for a connection, all nodes together. */
  get pending(): number {
    return this.links.reduce((sum, { ari }) => sum + ari.rest.pending, 0);
  }

  get eventsReceived(): Map<string, number> {
    if (this.links.length === 1) return this.links[0]!.ari.eventsReceived;
    const all = new Map<string, number>();
    for (const { ari } of this.links) for (const [type, n] of ari.eventsReceived) all.set(type, (all.get(type) ?? 0) + n);
    return all;
  }

  /** Up while one node is: calls on the others still go on (a node down is in the log, by name). */
  get isUp(): boolean {
    return this.events.isUp;
  }

  status(): { up: boolean; since?: number; attempts: number } {
    if (this.links.length === 1) return this.links[0]!.ari.status();
    const all = this.links.map(({ ari }) => ari.status());
    const since = all.filter((s) => s.up && s.since !== undefined).map((s) => s.since!);
    return { up: all.some((s) => s.up), since: since.length ? Math.min(...since) : undefined, attempts: all.reduce((n, s) => n + s.attempts, 0) };
  }

  start(): void {
    for (const { ari } of this.links) ari.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.links.map(({ ari }) => ari.stop()));
  }
}
