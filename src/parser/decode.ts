/**
 * Bytes → text, as the reference Microkit tool reads a system description: Rust's
 * `fs::read_to_string`, which takes UTF-8 only (a UTF-8 BOM is kept, as one character) and
 * fails on anything else. The tool unwraps that failure, so it stops with a panic; we say
 * where the first byte that is not UTF-8 is, and what the file probably is instead.
 */

/** What the reference tool prints when `fs::read_to_string` of the description fails. */
export const READ_TO_STRING_PANIC = "thread 'main' panicked at tool/microkit/src/main.rs:166:55:\n" + 'called `Result::unwrap()` on an `Err` value: Error { kind: InvalidData, message: "stream did not contain valid UTF-8" }';

export type EncodingProblem = { kind: 'invalid_utf8'; byteOffset: number; offset: number; byte: number; latin1: boolean } | { kind: 'utf16'; byteOffset: number; offset: number; bigEndian: boolean; bom: boolean };

export interface Decoded {
  /**
   * The text. When there is a problem it is a best effort for showing the place (UTF-8 with
   * replacement characters, or the UTF-16 decoded), and must not be read as a description.
   */
  text: string;
  problem?: EncodingProblem;
}

/** A UTF-16 byte-order mark, or ASCII characters each followed (LE) or preceded (BE) by a NUL. */
export function looksLikeUtf16(bytes: Uint8Array): { bigEndian: boolean; bom: boolean } | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe) return { bigEndian: false, bom: true };
  if (a === 0xfe && b === 0xff) return { bigEndian: true, bom: true };
  if (bytes.length < 4) return undefined;
  const ascii = (x: number | undefined) => x !== undefined && x > 0 && x < 0x80;
  if (ascii(a) && b === 0 && ascii(c) && d === 0) return { bigEndian: false, bom: false };
  if (a === 0 && ascii(b) && c === 0 && ascii(d)) return { bigEndian: true, bom: false };
  return undefined;
}

/**
 * The offset of the first byte that does not start or continue a well-formed UTF-8 sequence
 * (Rust's `Utf8Error::valid_up_to`: no overlong forms, no surrogates, nothing above U+10FFFF),
 * or -1 when all of `bytes` is UTF-8.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + length > n) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

/** Decode a description's bytes as the reference tool does; see `Decoded`. */
export function decodeSource(bytes: Uint8Array): Decoded {
  const utf16 = looksLikeUtf16(bytes);
  if (utf16) {
    const text = new TextDecoder(utf16.bigEndian ? 'utf-16be' : 'utf-16le', { ignoreBOM: false }).decode(bytes);
    // Without a BOM the bytes may well be UTF-8 (ASCII and NULs): the first NUL is the place.
    const byteOffset = utf16.bom ? 0 : utf16.bigEndian ? 0 : 1;
    return { text, problem: { kind: 'utf16', byteOffset, offset: 0, ...utf16 } };
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad < 0) return { text: utf8(bytes) };
  // The valid prefix decodes exactly, so its length is the UTF-16 offset of the bad byte.
  const offset = utf8(bytes.subarray(0, bad)).length;
  return { text: utf8(bytes), problem: { kind: 'invalid_utf8', byteOffset: bad, offset, byte: bytes[bad]!, latin1: looksLikeLatin1(bytes) } };
}

/**
 * Whether the non-ASCII bytes read as single-byte text (Latin-1, Windows-1252): none of them
 * forms a UTF-8 sequence, and they are letters and signs rather than control bytes.
 */
function looksLikeLatin1(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b === 0 || (b >= 0x80 && b < 0xa0 && ![0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99].includes(b))) return false;
  return true;
}
