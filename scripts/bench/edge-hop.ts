// The SIP edge's own time per INVITE in the two-node run: a tcpdump on loopback of the INVITEs
// reaching the edge's entrance and those reaching a node, paired by Call-ID (Kamailio keeps it).
// Only SIP to those ports is captured (no RTP): the capture costs little next to the calls.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { percentiles, type Percentiles } from './measure';
import { stopChild, type Cleanup } from './procs';

export interface EdgeHop {
  stop(): Promise<Percentiles>;
}

export async function captureEdgeHop(cleanup: Cleanup, dir: string, entrancePort: number, nodePorts: number[]): Promise<EdgeHop> {
  const file = join(dir, 'edge-hop.pcap');
  const filter = `udp and (${[entrancePort, ...nodePorts].map((p) => `dst port ${p}`).join(' or ')})`;
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '0', '-U', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  // SIGINT: tcpdump writes out what it captured and exits.
  const stop = () => stopChild(child, done, 'SIGINT');
  cleanup.teardown(stop);
  // tcpdump says "listening on lo" once it captures.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolve();
    });
    child.once('exit', () => reject(new Error(`tcpdump exited: ${err.trim()}`)));
  });
  return {
    stop: async () => {
      await stop();
      return percentiles(hops(execFileSync('tcpdump', ['-r', file, '-n', '-tt', '-A'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }), entrancePort, new Set(nodePorts)));
    },
  };
}

/** ms from the first INVITE at the entrance to the first INVITE at a node, per Call-ID. */
export function hops(text: string, entrancePort: number, nodePorts: Set<number>): number[] {
  const atEntrance = new Map<string, number>();
  const atNode = new Map<string, number>();
  // Each packet: "1765135000.123456 IP 127.0.0.1.5070 > 127.0.0.1.5060: UDP, length N" then its payload.
  for (const packet of text.split(/\n(?=\d+\.\d+ IP )/)) {
    const head = /^(\d+\.\d+) IP [\d.]+ > [\d.]+\.(\d+): UDP/.exec(packet);
    if (!head || !/(^|\n)[^\n]*INVITE sip:[^\n]* SIP\/2\.0/.test(packet)) continue;
    const callId = /\nCall-ID:\s*([^\s.][^\r\n]*?)\.?\r?\n/i.exec(packet)?.[1]?.trim();
    if (!callId) continue;
    const [t, port] = [Number(head[1]) * 1000, Number(head[2])];
    const into = port === entrancePort ? atEntrance : nodePorts.has(port) ? atNode : undefined;
    if (into && !into.has(callId)) into.set(callId, t);
  }
  const out: number[] = [];
  for (const [id, t] of atEntrance) {
    const n = atNode.get(id);
    if (n !== undefined) out.push(n - t);
  }
  return out;
}
