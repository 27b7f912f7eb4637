// Free ports for SIPp phones and callers, picked at run time so that many SIPp processes (the
// demo's phones, a test's callers) never collide. The tests' harness uses the same functions.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** A TCP port nobody listens on right now (and UDP free too, for SIP). */
export async function freePort(udpToo = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (!udpToo || (await udpFree(port))) return port;
  }
}

export function udpFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** A block of `count` consecutive free UDP ports (RTP ranges, SIPp media ports). */
export async function freeUdpRange(count: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 15000);
    let ok = true;
    for (let p = base; p < base + count && ok; p += Math.max(1, Math.floor(count / 8))) ok = await udpFree(p, '0.0.0.0');
    if (ok) return base;
  }
  throw new Error('no free UDP range');
}
