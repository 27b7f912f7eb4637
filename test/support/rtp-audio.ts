// What a SIPp phone actually heard: tcpdump captures the RTP Asterisk sends on loopback, and the
// A-law payloads sent to one phone's media port are decoded and checked for known tones.
// Why a capture rather than asking Asterisk to record what each party receives: that would use
// the very snoop/audiohook machinery under test to judge itself; the packets on the wire are what
// the phone gets, whatever Asterisk believes it sent.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep, waitFor } from './harness';

export interface RtpPacket {
  atMs: number;
  dstPort: number;
  payloadType: number;
  payload: Buffer;
}

/** RTP over UDP/IPv4 from a classic pcap file (Ethernet, Linux cooked v1/v2 or BSD loopback). */
export function readPcap(data: Buffer): RtpPacket[] {
  if (data.length < 24) return [];
  const magic = data.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const linkHeader: Record<number, number> = { 0: 4, 1: 14, 113: 16, 276: 20 };
  const skip = linkHeader[u32(20)];
  if (skip === undefined) throw new Error(`pcap link type ${u32(20)} not supported`);
  const out: RtpPacket[] = [];
  for (let o = 24; o + 16 <= data.length; ) {
    const atMs = u32(o) * 1000 + u32(o + 4) / (nano ? 1e6 : 1e3);
    const caplen = u32(o + 8);
    const frame = data.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    const ip = frame.subarray(skip);
    if (ip.length < 20 || ip[0] >> 4 !== 4 || ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0] & 0x0f) * 4);
    const rtp = udp.subarray(8);
    if (rtp.length < 12 || rtp[0] >> 6 !== 2) continue;
    let header = 12 + (rtp[0] & 0x0f) * 4;
    if (rtp[0] & 0x10) header += 4 + rtp.readUInt16BE(header + 2) * 4;
    out.push({ atMs, dstPort: udp.readUInt16BE(2), payloadType: rtp[1] & 0x7f, payload: rtp.subarray(header) });
  }
  return out;
}

/** G.711 A-law byte → linear sample in [-1, 1). */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return (a & 0x80 ? magnitude : -magnitude) / 32768;
}

/** Share of the block's energy at `freq` (Goertzel): about 1 for a pure tone, 0.5 each for two. */
export function toneShare(samples: Float64Array, freq: number, rate = 8000): number {
  const n = samples.length;
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  if (energy < n * 1e-6) return 0; // silence (RMS under 0.001): no tone at all
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * power) / (n * energy);
}

/**
 * The mean share of each tone over 200 ms blocks of what `port` received in [fromMs, toMs].
 * Short blocks: a lost or late packet only smears one block, not the whole window.
 */
export function tonesHeard(packets: RtpPacket[], port: number, fromMs: number, toMs: number, freqs: number[]): Record<number, number> {
  const bytes = Buffer.concat(packets.filter((p) => p.dstPort === port && p.payloadType === 8 && p.atMs >= fromMs && p.atMs <= toMs).map((p) => p.payload));
  const block = 1600;
  const result: Record<number, number> = Object.fromEntries(freqs.map((f) => [f, 0]));
  const blocks = Math.floor(bytes.length / block);
  if (blocks === 0) return result;
  for (let b = 0; b < blocks; b++) {
    const samples = Float64Array.from(bytes.subarray(b * block, (b + 1) * block), alawToLinear);
    for (const f of freqs) result[f] += toneShare(samples, f) / blocks;
  }
  return result;
}

export interface Capture {
  file: string;
  stop(): Promise<RtpPacket[]>;
}

/** Captures every UDP packet Asterisk sends from its RTP port range (needs root and tcpdump). */
export async function captureRtp(t: { teardown(fn: () => unknown): void }, file: string, rtpStart: number, rtpEnd: number): Promise<Capture> {
  // -U: written per packet, so nothing is lost in a buffer at stop; -Z root: keep writing to a
  // root-owned test folder (Debian's tcpdump drops to its own user by default).
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-U', '-Z', 'root', '-w', file, `udp and src portrange ${rtpStart}-${rtpEnd}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
  };
  t.teardown(kill);
  await waitFor('tcpdump listening', () => {
    if (child.exitCode !== null) throw new Error(`tcpdump exited: ${stderr}`);
    return /listening on/.test(stderr);
  }, 10000, 50);
  return {
    file,
    stop: async () => {
      await kill();
      return readPcap(readFileSync(file));
    },
  };
}

/** The samples of a 16-bit PCM WAV (as Asterisk records "wav"), in [-1, 1), with its rate. */
export function wavSamples(wav: Buffer): { rate: number; samples: Float64Array } {
  const data = wav.indexOf('data', 12);
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.readUInt16LE(20) !== 1 || wav.readUInt16LE(34) !== 16 || data < 0) throw new Error('not a 16-bit PCM WAV');
  const start = data + 8;
  const count = Math.floor((wav.length - start) / 2);
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) samples[i] = wav.readInt16LE(start + 2 * i) / 32768;
  return { rate: wav.readUInt32LE(24), samples };
}

/**
 * For each tone, the share of 200 ms blocks of a recording in which it is clearly present (at
 * least `min` of the block's energy): two parties talking at once give both tones in most blocks.
 */
export function tonesInRecording(wav: Buffer, freqs: number[], min = 0.1): Record<number, number> {
  const { rate, samples } = wavSamples(wav);
  const block = Math.round(rate / 5);
  const blocks = Math.floor(samples.length / block);
  const result: Record<number, number> = Object.fromEntries(freqs.map((f) => [f, 0]));
  for (let b = 0; b < blocks; b++) {
    const part = samples.subarray(b * block, (b + 1) * block);
    for (const f of freqs) if (toneShare(part, f, rate) >= min) result[f] += 1 / blocks;
  }
  return result;
}
