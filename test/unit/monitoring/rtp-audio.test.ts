// The test support that judges received audio must itself be right: A-law decoding, tone shares
// and pcap parsing, checked on synthetic data.
import t from 'tap';
import { alawToLinear, readPcap, toneShare, tonesHeard } from '../../support/rtp-audio';

const sine = (freq: number, n: number, amp = 0.5) => Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / 8000));

/** Linear sample → A-law byte (the encoder, only to build test packets). */
function linearToAlaw(x: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(x * 32768))) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff].findIndex((end) => pcm <= end);
  if (seg < 0) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (pcm >> 1) & 0xf : (pcm >> seg) & 0xf);
  return aval ^ mask;
}

t.test('A-law', async (t) => {
  t.equal(alawToLinear(0xd5), 8 / 32768, 'the smallest positive step');
  t.equal(alawToLinear(0x55), -8 / 32768, 'the smallest negative step');
  for (const x of [0.5, -0.25, 0.01]) t.ok(Math.abs(alawToLinear(linearToAlaw(x)) - x) < Math.abs(x) * 0.07, `round trip ${x}`);
});

t.test('tone shares', async (t) => {
  t.ok(toneShare(sine(440, 1600), 440) > 0.95, 'a pure tone is all its own');
  t.ok(toneShare(sine(440, 1600), 1000) < 0.01, 'and nothing of another');
  const mix = sine(440, 1600).map((v, i) => v + sine(1800, 1600)[i]);
  t.ok(Math.abs(toneShare(mix, 440) - 0.5) < 0.05 && Math.abs(toneShare(mix, 1800) - 0.5) < 0.05, 'two equal tones: half each');
  t.equal(toneShare(new Float64Array(1600), 440), 0, 'silence holds no tone');
});

t.test('pcap of RTP to one port, in a time window', async (t) => {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  const audio = sine(1000, 160 * 20);
  const records = Array.from({ length: 20 }, (_, k) => {
    const rtp = Buffer.alloc(12 + 160);
    rtp[0] = 0x80;
    rtp[1] = 8;
    for (let i = 0; i < 160; i++) rtp[12 + i] = linearToAlaw(audio[k * 160 + i]);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(10000, 0);
    udp.writeUInt16BE(k < 10 ? 6000 : 7000, 2);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip[9] = 17;
    const frame = Buffer.concat([Buffer.alloc(14), ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1000 + k, 0); // one packet a second
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const packets = readPcap(Buffer.concat([header, ...records]));
  t.equal(packets.length, 20);
  t.match(packets[0], { atMs: 1000000, dstPort: 6000, payloadType: 8 });
  t.equal(packets[0].payload.length, 160);
  const heard = tonesHeard(packets, 6000, 1000000, 1009000, [440, 1000]);
  t.ok(heard[1000] > 0.9 && heard[440] < 0.01, `port 6000 heard 1000 Hz (${heard[1000].toFixed(2)})`);
  t.same(tonesHeard(packets, 6000, 1010000, 1020000, [1000]), { 1000: 0 }, 'nothing to port 6000 after 10 s');
});
