// The SIP edge in tests: a real Kamailio (scripts/sip-edge.sh) in front of sandbox Asterisk
// nodes, on ports picked free here. Stopped and its folder removed in teardown (its log copied
// into the test's folder first), also when a test fails: a Kamailio left running is a failure.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, freePort, sipp, startAsterisk, udpFree, type Sandbox, type Sipp, type Teardown } from './harness';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts/sip-edge.sh');

export interface Edge {
  name: string;
  /** The 110 trunk's entrance, `127.0.0.1:<port>`: where the carrier (SIPp) sends its calls. */
  entrance: string;
  /** The phones' registrar, `127.0.0.1:<port>`: where phones register, and nodes in edge mode send their calls. */
  phoneSocket: string;
  /** The phones registered at the edge: number -> contact (`sip:1001@127.0.0.1:5071`). */
  phones(): Promise<Map<string, string>>;
  /** The dispatcher's view: `sip:ADDR:PORT` -> flags (`AP` active, `IP` inactive, `TP` trying). */
  nodes(): Promise<Map<string, string>>;
  /** Kamailio's log while it runs; copied into the test's folder (edge-<name>.log) at teardown. */
  logFile: string;
  stop(): Promise<void>;
  /** Starts it again after stop(), on the same ports, with the registrations it wrote down (db/location). */
  start(): Promise<void>;
}

/** A node of the edge: a sandbox Asterisk, or an `ADDR:PORT` where nothing may answer. */
export type EdgeNode = Sandbox | string;

export const nodeUri = (node: EdgeNode) => (typeof node === 'string' ? `sip:${node}` : `sip:127.0.0.1:${node.sipPort}`);

/** A free UDP port on the edge's relay address (127.0.0.2) that is also free on 127.0.0.1. */
async function freeRelayPort(): Promise<number> {
  for (;;) {
    const port = await freePort(true);
    if (await udpFree(port, '127.0.0.2')) return port;
  }
}

/**
 * opts.phonePort: the phones' socket's port, picked free here unless given (a node in edge mode is
 * started before the edge and needs it: pick it with freePort(true) and pass it to both).
 */
export async function startEdge(t: Teardown, name: string, nodes: EdgeNode[], opts: { logDir: string; probeS?: number; phonePort?: number }): Promise<Edge> {
  const instance = `${name}-${process.pid}`;
  const port = await freePort(true);
  const phonePort = opts.phonePort ?? (await freePort(true));
  const env: Record<string, string> = {
    EDGE_INSTANCE: instance,
    EDGE_PORT: String(port),
    EDGE_RELAY_PORT: String(await freeRelayPort()),
    EDGE_NODES: nodes.map((n) => nodeUri(n).slice('sip:'.length)).join(' '),
    EDGE_PROBE_S: String(opts.probeS ?? 2),
    EDGE_PHONE_PORT: String(phonePort),
  };
  const script = async (command: string) => (await run('bash', [SCRIPT, command], { env: { ...process.env, ...env } })).stdout;
  const runDir = `/run/cti110-edge/${instance}`;
  const logFile = join(runDir, 'edge.log');
  const stop = async () => {
    await script('stop');
  };
  const lines = async (command: string) => new Map((await script(command)).trim().split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
  t.teardown(async () => {
    mkdirSync(opts.logDir, { recursive: true });
    try {
      copyFileSync(logFile, join(opts.logDir, `edge-${instance}.log`));
    } catch (err) {
      console.error(`edge ${instance}: no log to keep: ${(err as Error).message}`);
    }
    await script('destroy');
  });
  await script('start');
  return {
    name: instance,
    entrance: `127.0.0.1:${port}`,
    phoneSocket: `127.0.0.1:${phonePort}`,
    logFile,
    stop,
    start: async () => {
      await script('start');
    },
    nodes: () => lines('nodes'),
    phones: () => lines('phones'),
  };
}

/** Calls processed so far by a node (`core show calls`): which node a call went to. */
export const callsProcessed = async (node: Sandbox) => Number(/(\d+) calls? processed/.exec(await node.cli('core show calls'))?.[1] ?? NaN);

/** Asterisk nodes A and B in edge mode (every phone's AOR at the edge), and the edge over both. */
export async function startTwoNodes(t: Teardown, name: string, opts: { logDir: string; probeS?: number }): Promise<{ a: Sandbox; b: Sandbox; edge: Edge }> {
  const phonePort = await freePort(true);
  const phoneEdge = `127.0.0.1:${phonePort}`;
  const a = await startAsterisk(t, `${name}-a`, { rtpPorts: 60, phoneEdge });
  const b = await startAsterisk(t, `${name}-b`, { rtpPorts: 60, phoneEdge });
  const edge = await startEdge(t, name, [a, b], { logDir: opts.logDir, probeS: opts.probeS, phonePort });
  return { a, b, edge };
}

/**
 * A 110 caller through the edge's entrance (the dispatcher picks the node). caller-from.xml, as
 * the carrier does, sends its in-dialog requests (ACK, BYE) along the Record-Route path.
 */
export function callerViaEdge(t: Teardown, edge: Edge, any: Sandbox, logDir: string, n: string, holdS: number): Promise<Sipp> {
  const from = join(logDir, `from-${n}.csv`);
  writeFileSync(from, `SEQUENTIAL\n<sip:${n}@127.0.0.2>;\n`);
  return sipp(t, 'caller-from.xml', ['-s', '110', '-inf', from, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', '120s', '-timeout_error'], { sandbox: any, to: edge.entrance, ip: '127.0.0.2', logDir });
}
