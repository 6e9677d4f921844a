/**
 * The framing of the GDB Remote Serial Protocol (GDB manual, "Overview" of Appendix E):
 * `$data#cs` packets with a modulo-256 checksum in two hex digits, `}` escapes (the byte XOR
 * 0x20) for `$`, `#`, `}` and `*`, `*` run-length encoding in replies, `+`/`-` acknowledgements
 * and the out-of-band interrupt byte 0x03. Pure byte handling: no I/O, usable in a browser.
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
/** Ctrl-C: GDB sends it outside any packet to interrupt the running target. */
const INTERRUPT = 0x03;

/** The modulo-256 sum of the bytes, as GDB's packet checksum. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** Escape the bytes that may not appear as themselves in a packet body. */
export function escapeBinary(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === DOLLAR || b === HASH || b === ESCAPE || b === STAR) out.push(ESCAPE, b ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Undo `escapeBinary` (for `X` packets and escaped packet bodies). */
export function unescapeBinary(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === ESCAPE && i + 1 < bytes.length) out.push(bytes[++i]! ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * Run-length encode a reply body: a run of n ≥ 4 equal bytes becomes the byte, `*` and the
 * character 29 + (n − 1). Counts whose character would be `#` or `$` (n − 1 = 6 or 7) are cut
 * to 5 extra repeats, and runs longer than 97 are split, as the manual requires.
 */
export function runLengthEncode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let run = 1;
    while (i + run < bytes.length && bytes[i + run] === b && run < 98) run++;
    out.push(b);
    let repeats = run - 1;
    if (repeats >= 3) {
      if (repeats === 6 || repeats === 7) repeats = 5;
      out.push(STAR, 29 + repeats);
      i += repeats + 1;
    } else {
      for (let k = 0; k < repeats; k++) out.push(b);
      i += run;
    }
  }
  return Uint8Array.from(out);
}

/** Expand `*` runs (GDB's own decoder; for tests and for clients). */
export function runLengthDecode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === STAR && out.length > 0 && i + 1 < bytes.length) {
      const repeats = bytes[++i]! - 29;
      const prev = out[out.length - 1]!;
      for (let k = 0; k < repeats; k++) out.push(prev);
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** A whole packet on the wire: `$`, the (escaped, optionally run-length encoded) body, `#`, checksum. */
export function framePacket(body: Uint8Array | string, compress = true): Uint8Array {
  const raw = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const escaped = escapeBinary(raw);
  const data = compress ? runLengthEncode(escaped) : escaped;
  const out = new Uint8Array(data.length + 4);
  out[0] = DOLLAR;
  out.set(data, 1);
  out[data.length + 1] = HASH;
  out.set(new TextEncoder().encode(hex2(checksum(data))), data.length + 2);
  return out;
}

/** What the reader found on the wire. */
export type WireEvent =
  | { kind: 'packet'; body: Uint8Array }
  /** A packet whose checksum did not match: answer `-` so GDB sends it again. */
  | { kind: 'bad-checksum' }
  | { kind: 'interrupt' }
  | { kind: 'ack' }
  | { kind: 'nack' };

/**
 * Splits the incoming byte stream into packets, acknowledgements and interrupts. Bytes
 * arrive in any chunks; a packet may span several.
 */
export class PacketReader {
  private buffer: number[] = [];
  private inPacket = false;
  /** Bytes of the checksum still to come after `#` (0: not in the trailer). */
  private trailer = -1;
  private checksumText = '';

  /** Feed received bytes; returns the events they complete, in order. */
  push(chunk: Uint8Array): WireEvent[] {
    const events: WireEvent[] = [];
    for (const b of chunk) {
      if (!this.inPacket) {
        if (b === DOLLAR) {
          this.inPacket = true;
          this.buffer = [];
          this.trailer = -1;
        } else if (b === INTERRUPT) events.push({ kind: 'interrupt' });
        else if (b === PLUS) events.push({ kind: 'ack' });
        else if (b === MINUS) events.push({ kind: 'nack' });
        // Anything else between packets is line noise: ignored, as GDB's own stubs do.
        continue;
      }
      if (this.trailer === -1) {
        if (b === HASH) {
          this.trailer = 2;
          this.checksumText = '';
        } else this.buffer.push(b);
        continue;
      }
      this.checksumText += String.fromCharCode(b);
      if (--this.trailer > 0) continue;
      this.inPacket = false;
      this.trailer = -1;
      const data = Uint8Array.from(this.buffer);
      const expected = /^[0-9a-fA-F]{2}$/.test(this.checksumText) ? parseInt(this.checksumText, 16) : -1;
      if (expected !== checksum(data)) events.push({ kind: 'bad-checksum' });
      else events.push({ kind: 'packet', body: unescapeBinary(data) });
    }
    return events;
  }
}

/** Bytes as lowercase hex pairs. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += hex2(b);
  return s;
}

/** Hex pairs as bytes; undefined when the text is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A little-endian value of `bytes` bytes as hex (register contents are target-endian). */
export function leHex(value: bigint, bytes: number): string {
  let s = '';
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    s += hex2(Number(v & 0xffn));
    v >>= 8n;
  }
  return s;
}

/** Little-endian hex as a value; undefined when not hex. */
export function parseLeHex(text: string): bigint | undefined {
  const bytes = fromHex(text);
  if (!bytes) return undefined;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}
