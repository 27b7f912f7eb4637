// A TCP proxy of the test's own between the service and Asterisk's HTTP server, to make ARI's REST
// side fail on purpose: `stall` holds every request until the mode changes, `drop` breaks every
// connection that carries a byte (a request sent and its answer lost, or never sent). The event
// websocket (its upgrade request) is always passed: the drill is about requests, not events.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'stall' | 'drop';

export class FaultyProxy {
  mode: ProxyMode = 'pass';
  /** Connections broken and requests held, for the test's report. */
  readonly counts = { dropped: 0, stalled: 0 };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held: (() => void)[] = [];

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'pass') this.held.splice(0).forEach((release) => release());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    const breakBoth = () => {
      this.counts.dropped += 1;
      client.resetAndDestroy();
      upstream.destroy();
    };
    let websocket: boolean | undefined;
    client.on('data', (chunk) => {
      websocket ??= /^GET [^\r\n]*\/ari\/events/.test(chunk.toString('latin1'));
      if (websocket || this.mode === 'pass') return void upstream.write(chunk);
      if (this.mode === 'drop') return breakBoth();
      this.counts.stalled += 1;
      client.pause();
      this.held.push(() => {
        if (!upstream.destroyed) upstream.write(chunk);
        client.resume();
      });
    });
    upstream.on('data', (chunk) => {
      if (!websocket && this.mode === 'drop') return breakBoth();
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
