/**
 * pcap files (the classic libpcap format, microsecond timestamps, LINKTYPE_ETHERNET), for the
 * virtio-net pcap backend: frames in at the virtual times of their timestamps, frames out
 * stamped with the virtual time they were sent.
 */

export interface TimedFrame {
  /** Virtual time in nanoseconds since the machine started. */
  readonly timeNs: number;
  readonly bytes: Uint8Array;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;

/** Frames of a pcap file, or a message saying what is wrong with it. */
export function parsePcap(data: Uint8Array): TimedFrame[] | string {
  if (data.length < 24) return 'too short for a pcap header';
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magicLe = v.getUint32(0, true);
  const magicBe = v.getUint32(0, false);
  const le = magicLe === MAGIC_US || magicLe === MAGIC_NS;
  if (!le && magicBe !== MAGIC_US && magicBe !== MAGIC_NS) return 'not a pcap file (pcapng is not supported)';
  const nano = (le ? magicLe : magicBe) === MAGIC_NS;
  const link = v.getUint32(20, le);
  if (link !== LINKTYPE_ETHERNET) return `link type ${link}, not Ethernet (1)`;
  const frames: TimedFrame[] = [];
  for (let at = 24; at < data.length; ) {
    if (at + 16 > data.length) return `record ${frames.length + 1} is cut short`;
    const sec = v.getUint32(at, le);
    const frac = v.getUint32(at + 4, le);
    const caplen = v.getUint32(at + 8, le);
    if (at + 16 + caplen > data.length) return `record ${frames.length + 1} is cut short`;
    frames.push({ timeNs: sec * 1e9 + (nano ? frac : frac * 1000), bytes: data.slice(at + 16, at + 16 + caplen) });
    at += 16 + caplen;
  }
  for (let i = 1; i < frames.length; i++) {
    if (frames[i]!.timeNs < frames[i - 1]!.timeNs) return `record ${i + 1}'s timestamp is earlier than record ${i}'s`;
  }
  return frames;
}

export function pcapHeader(): Uint8Array {
  const h = new Uint8Array(24);
  const v = new DataView(h.buffer);
  v.setUint32(0, MAGIC_US, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return h;
}

export function pcapRecord(frame: TimedFrame): Uint8Array {
  const r = new Uint8Array(16 + frame.bytes.length);
  const v = new DataView(r.buffer);
  const us = Math.floor(frame.timeNs / 1000);
  v.setUint32(0, Math.floor(us / 1e6), true);
  v.setUint32(4, us % 1e6, true);
  v.setUint32(8, frame.bytes.length, true);
  v.setUint32(12, frame.bytes.length, true);
  r.set(frame.bytes, 16);
  return r;
}
