// A pcap file of RFC 4733 telephone-events, for SIPp's play_pcap_audio: how a softphone sends
// keys pressed during a call. SIPp replays the UDP payloads (the RTP packets) to the far end's
// media address; the addresses and ports written here are placeholders it replaces.

/** RFC 4733 event codes: 0-9, then * = 10, # = 11. */
const EVENT: Record<string, number> = { '*': 10, '#': 11, ...Object.fromEntries([...'0123456789'].map((d) => [d, Number(d)])) };

function rtpEvent(seq: number, ts: number, marker: boolean, event: number, end: boolean, duration: number, payloadType: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(0x80, 0); // version 2
  b.writeUInt8((marker ? 0x80 : 0) | payloadType, 1);
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(0x0c7110d7, 8); // SSRC
  b.writeUInt8(event, 12);
  b.writeUInt8((end ? 0x80 : 0) | 10, 13); // E bit, volume -10 dBm0
  b.writeUInt16BE(duration, 14);
  return b;
}

/** Ethernet + IPv4 + UDP around one RTP packet (checksums 0: SIPp rewrites the headers). */
function frame(rtp: Buffer): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6002, 2);
  udp.writeUInt16BE(8 + rtp.length, 4);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]);
  ip.writeUInt16BE(20 + 8 + rtp.length, 2);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, udp, rtp]);
}

/** Each key held 120 ms (6 packets of 20 ms, then 3 end packets), 200 ms apart. */
export function dtmfPcap(keys: string, payloadType = 101): Buffer {
  const records: Buffer[] = [];
  let t = 0;
  let seq = 1000;
  let ts = 16000;
  const add = (rtp: Buffer) => {
    const f = frame(rtp);
    const head = Buffer.alloc(16);
    head.writeUInt32LE(Math.floor(t), 0);
    head.writeUInt32LE(Math.round((t % 1) * 1e6), 4);
    head.writeUInt32LE(f.length, 8);
    head.writeUInt32LE(f.length, 12);
    records.push(head, f);
    seq += 1;
  };
  for (const key of keys) {
    const event = EVENT[key];
    if (event === undefined) throw new Error(`no DTMF key ${JSON.stringify(key)}`);
    for (let i = 0; i < 6; i++, t += 0.02) add(rtpEvent(seq, ts, i === 0, event, false, 160 * (i + 1), payloadType));
    // The end packet is sent three times (RFC 4733 2.5.1.4): one may be lost.
    for (let i = 0; i < 3; i++, t += 0.005) add(rtpEvent(seq, ts, false, event, true, 160 * 7, payloadType));
    ts += 160 * 20;
    t += 0.2;
  }
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // microsecond pcap, little-endian
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // Ethernet
  return Buffer.concat([global, ...records]);
}
