import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../src/machine/net/byte-queue.js';
import { TCP_FLAG, type TcpSegment } from '../src/machine/net/tcp.js';
import { TcpConnection } from '../src/machine/net/tcp-connection.js';
import { StreamFrameDecoder, encodeStreamFrame } from '../src/machine/net/stream-framing.js';

/**
 * The host side of a forwarded TCP connection against a scripted guest, in virtual time
 * (nanoseconds): handshake, data within the guest's window and MSS, retransmission, FIN, RST.
 */

const ISS = 1000;
const GUEST_ISS = 5000;
const text = (s: string) => new TextEncoder().encode(s);

function connection(t0 = 0) {
  const sent: TcpSegment[] = [];
  const host = { data: [] as string[], ended: false, reset: false };
  const c = new TcpConnection(40000, 1236, ISS, (s) => sent.push(s), { data: (b) => host.data.push(new TextDecoder().decode(b)), end: () => (host.ended = true), reset: () => (host.reset = true) }, t0);
  const guest = (flags: number, seq: number, ack: number, opts: { payload?: Uint8Array; window?: number; mss?: number } = {}, now = 0) =>
    c.segment({ srcPort: 1236, dstPort: 40000, seq, ack, flags, window: opts.window ?? 8192, mss: opts.mss, payload: opts.payload ?? new Uint8Array() }, now);
  const established = (window = 8192, mss = 1460) => {
    guest(TCP_FLAG.SYN | TCP_FLAG.ACK, GUEST_ISS, ISS + 1, { window, mss });
    sent.length = 0;
  };
  return { c, sent, host, guest, established };
}

describe('TcpConnection: the handshake', () => {
  it('sends SYN with MSS 1460, answers the SYN-ACK with ACK; the SYN is sent again after 1 s, then 2 s', () => {
    const { c, sent, guest } = connection();
    expect(sent).toEqual([{ srcPort: 40000, dstPort: 1236, seq: ISS, ack: 0, flags: TCP_FLAG.SYN, window: 65535, mss: 1460, payload: new Uint8Array() }]);
    c.timer(999_999_999);
    expect(sent).toHaveLength(1);
    c.timer(1e9);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.flags).toBe(TCP_FLAG.SYN);
    expect(c.timerNs).toBe(3e9);
    guest(TCP_FLAG.SYN | TCP_FLAG.ACK, GUEST_ISS, ISS + 1, { mss: 1000 }, 1.5e9);
    expect(c.state).toBe('established');
    expect(sent[2]).toMatchObject({ flags: TCP_FLAG.ACK, seq: ISS + 1, ack: GUEST_ISS + 1 });
    expect(c.timerNs).toBe(Infinity);
    expect(c.stats.retransmissions).toBe(1);
  });

  it('a SYN-ACK acknowledging something else gets RST; a RST that acknowledges the SYN resets', () => {
    const { c, sent, host, guest } = connection();
    guest(TCP_FLAG.SYN | TCP_FLAG.ACK, GUEST_ISS, 77);
    expect(sent.at(-1)).toMatchObject({ flags: TCP_FLAG.RST, seq: 77 });
    expect(c.state).toBe('syn-sent');
    guest(TCP_FLAG.RST | TCP_FLAG.ACK, 0, ISS + 1);
    expect(c.done).toBe(true);
    expect(host.reset).toBe(true);
  });
});

describe('TcpConnection: data', () => {
  it("splits the host's bytes by the guest's MSS and stops at its window; an ACK opens room", () => {
    const { c, sent, established, guest } = connection();
    established(2500, 1000);
    c.write(new Uint8Array(4000).fill(7), 0);
    expect(sent.map((s) => [s.seq - ISS - 1, s.payload.length])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ]);
    expect(sent[0]!.flags).toBe(TCP_FLAG.ACK | TCP_FLAG.PSH);
    guest(TCP_FLAG.ACK, GUEST_ISS + 1, ISS + 1 + 2000, { window: 2500 });
    expect(sent.slice(3).map((s) => [s.seq - ISS - 1, s.payload.length])).toEqual([
      [2500, 1000],
      [3500, 500],
    ]);
  });

  it('retransmits from the oldest unacknowledged byte when the timer runs out, doubling it', () => {
    const { c, sent, established, guest } = connection();
    established(8192, 100);
    c.write(text('a'.repeat(250)), 0);
    expect(sent).toHaveLength(3);
    guest(TCP_FLAG.ACK, GUEST_ISS + 1, ISS + 1 + 100, {}, 0.5e9);
    expect(c.timerNs).toBe(1.5e9);
    c.timer(1.5e9);
    expect(sent.slice(3).map((s) => [s.seq - ISS - 1, s.payload.length])).toEqual([
      [100, 100],
      [200, 50],
    ]);
    expect(c.timerNs).toBe(3.5e9);
    guest(TCP_FLAG.ACK, GUEST_ISS + 1, ISS + 1 + 250, {}, 2e9);
    expect(c.timerNs).toBe(Infinity);
    expect(c.stats.retransmissions).toBe(1);
  });

  it('a closed window gets a one-byte probe when the timer runs out', () => {
    const { c, sent, established } = connection();
    established(0);
    c.write(text('xyz'), 0);
    expect(sent).toHaveLength(0);
    expect(c.timerNs).toBe(1e9);
    c.timer(1e9);
    expect(sent.map((s) => new TextDecoder().decode(s.payload))).toEqual(['x']);
  });

  it("delivers the guest's bytes in order; a segment out of order is dropped and the expected number acknowledged again", () => {
    const { sent, host, established, guest } = connection();
    established();
    guest(TCP_FLAG.ACK | TCP_FLAG.PSH, GUEST_ISS + 1 + 5, ISS + 1, { payload: text('world') });
    expect(host.data).toEqual([]);
    expect(sent.at(-1)).toMatchObject({ flags: TCP_FLAG.ACK, ack: GUEST_ISS + 1 });
    guest(TCP_FLAG.ACK | TCP_FLAG.PSH, GUEST_ISS + 1, ISS + 1, { payload: text('hello') });
    guest(TCP_FLAG.ACK | TCP_FLAG.PSH, GUEST_ISS + 1, ISS + 1, { payload: text('hello') });
    expect(host.data).toEqual(['hello']);
    expect(sent.at(-1)).toMatchObject({ flags: TCP_FLAG.ACK, ack: GUEST_ISS + 6 });
  });
});

describe('TcpConnection: closing', () => {
  it('the host closes first: FIN after the data, the guest ACKs and closes, the connection is done', () => {
    const { c, sent, host, established, guest } = connection();
    established();
    c.write(text('bye'), 0);
    c.end(0);
    expect(sent.map((s) => s.flags)).toEqual([TCP_FLAG.ACK | TCP_FLAG.PSH, TCP_FLAG.ACK | TCP_FLAG.FIN]);
    expect(sent[1]!.seq).toBe(ISS + 4);
    guest(TCP_FLAG.ACK, GUEST_ISS + 1, ISS + 5);
    expect(c.done).toBe(false);
    guest(TCP_FLAG.ACK | TCP_FLAG.FIN, GUEST_ISS + 1, ISS + 5);
    expect(host.ended).toBe(true);
    expect(sent.at(-1)).toMatchObject({ flags: TCP_FLAG.ACK, ack: GUEST_ISS + 2 });
    expect(c.done).toBe(true);
  });

  it('the guest closes first: the host is told, its FIN follows when it ends', () => {
    const { c, sent, host, established, guest } = connection();
    established();
    guest(TCP_FLAG.ACK | TCP_FLAG.FIN | TCP_FLAG.PSH, GUEST_ISS + 1, ISS + 1, { payload: text('x') });
    expect(host).toMatchObject({ data: ['x'], ended: true });
    expect(sent.at(-1)).toMatchObject({ ack: GUEST_ISS + 3 });
    c.end(0);
    expect(sent.at(-1)).toMatchObject({ flags: TCP_FLAG.ACK | TCP_FLAG.FIN, seq: ISS + 1 });
    guest(TCP_FLAG.ACK, GUEST_ISS + 3, ISS + 2);
    expect(c.done).toBe(true);
  });

  it('RST from the guest resets the host side; the host aborting sends RST; 8 unanswered retransmissions reset', () => {
    const a = connection();
    a.established();
    a.guest(TCP_FLAG.RST, GUEST_ISS + 1, 0);
    expect(a.host.reset).toBe(true);
    const b = connection();
    b.established();
    b.c.abort();
    expect(b.sent.at(-1)).toMatchObject({ flags: TCP_FLAG.RST | TCP_FLAG.ACK });
    expect(b.c.done).toBe(true);
    const c = connection();
    for (let t = 0; !c.c.done; ) {
      t = c.c.timerNs;
      c.c.timer(t);
    }
    expect(c.sent.filter((s) => s.flags === TCP_FLAG.SYN)).toHaveLength(9);
    expect(c.sent.at(-1)!.flags & TCP_FLAG.RST).toBeTruthy();
    expect(c.host.reset).toBe(true);
  });
});

describe('byte queue and stream framing', () => {
  it('ByteQueue keeps order across growth and consumption', () => {
    const q = new ByteQueue();
    for (let i = 0; i < 100; i++) q.append(new Uint8Array(100).fill(i));
    q.consume(150);
    expect(q.length).toBe(9850);
    expect(q.read(0, 3)).toEqual(new Uint8Array([1, 1, 1]));
    expect(q.read(50, 1)).toEqual(new Uint8Array([2]));
  });

  it("QEMU's framing: a 4-byte big-endian length, frames split across chunks, an impossible length refused", () => {
    const wire = new Uint8Array([...encodeStreamFrame(text('abc')), ...encodeStreamFrame(text('defgh'))]);
    expect([...wire.subarray(0, 7)]).toEqual([0, 0, 0, 3, 0x61, 0x62, 0x63]);
    const d = new StreamFrameDecoder();
    const frames = [1, 5, 9, 16].flatMap((end, i, ends) => d.push(wire.subarray(i === 0 ? 0 : ends[i - 1], end)) as Uint8Array[]);
    expect(frames.map((f) => new TextDecoder().decode(f))).toEqual(['abc', 'defgh']);
    expect(new StreamFrameDecoder().push(new Uint8Array([0, 2, 0, 0]))).toBe('a frame length of 131072 bytes (more than 69632): not a QEMU netdev stream');
  });
});
