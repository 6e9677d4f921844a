/**
 * The three integer syntaxes of the SDF (spec: sdf.md §2.3), with the reference tool's exact
 * failure texts (Rust's `ParseIntError` display).
 */

export type NumberResult = { ok: true; value: bigint } | { ok: false; reason: string };

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

const SHORT_DECIMAL = /^[0-9]{1,15}$/;
const SHORT_HEX = /^[0-9a-fA-F]{1,13}$/;
const EMPTY = 'cannot parse integer from empty string';
const INVALID_DIGIT = 'invalid digit found in string';
const TOO_LARGE = 'number too large to fit in target type';
const TOO_SMALL = 'number too small to fit in target type';

/**
 * Rust `from_str_radix` for u64 (`signed = false`) or i64: an optional sign (`+`, and `-` for
 * i64), then digits. Errors are reported in the order Rust finds them, left to right.
 */
function parseRustInt(text: string, radix: 10 | 16, signed: boolean): NumberResult {
  // Fast path: short plain digit strings fit a double exactly; BigInt digit loops are slow.
  if (radix === 10 ? SHORT_DECIMAL.test(text) : SHORT_HEX.test(text)) return { ok: true, value: BigInt(parseInt(text, radix)) };
  if (text === '') return { ok: false, reason: EMPTY };
  let i = 0;
  let negative = false;
  const first = text[0];
  if (first === '+' || (first === '-' && signed)) {
    negative = first === '-';
    i = 1;
    if (text.length === 1) return { ok: false, reason: INVALID_DIGIT };
  }
  const limit = signed ? (negative ? -I64_MIN : I64_MAX) : U64_MAX;
  const base = BigInt(radix);
  let value = 0n;
  for (; i < text.length; i++) {
    const d = digitValue(text.charCodeAt(i));
    if (d < 0 || d >= radix) return { ok: false, reason: INVALID_DIGIT };
    value = value * base + BigInt(d);
    if (value > limit) return { ok: false, reason: negative ? TOO_SMALL : TOO_LARGE };
  }
  return { ok: true, value: negative ? -value : value };
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return -1;
}

/**
 * (N) The SDF number: `_` removed anywhere, then lowercase `0x` means hex, else decimal; u64.
 */
export function parseSdfNumber(text: string): NumberResult {
  const s = text.includes('_') ? text.replaceAll('_', '') : text;
  if (s.startsWith('0x')) return parseRustInt(s.slice(2), 16, false);
  return parseRustInt(s, 10, false);
}

/** (D) A plain decimal (`str::parse::<i64|u64>`), where the reference tool panics on failure. */
export function parseDecimal(text: string, signed: boolean): NumberResult {
  return parseRustInt(text, 10, signed);
}

export type PciResult = { ok: true; bus: number; device: number; function: number } | { ok: false; reason: string };

/** (P) A PCI address `bus:dev.func`, each part hexadecimal without `0x` (i64, then ranged). */
export function parsePciAddress(text: string): PciResult {
  const colon = text.indexOf(':');
  const dot = colon < 0 ? -1 : text.indexOf('.', colon + 1);
  if (colon < 0 || dot < 0) return { ok: false, reason: 'expected PCI address in bus:device.function form' };
  const parts: [string, string, number][] = [
    [text.slice(0, colon), 'bus', 255],
    [text.slice(colon + 1, dot), 'device', 31],
    [text.slice(dot + 1), 'function', 7],
  ];
  const values: number[] = [];
  for (const [part, what] of parts) {
    const r = parseRustInt(part.trim(), 16, true);
    if (!r.ok) return { ok: false, reason: `failed to parse PCI ${what}` };
    values.push(Number(r.value < -1n ? -1n : r.value > 1000n ? 1000n : r.value));
  }
  for (let i = 0; i < 3; i++) {
    const [, what, max] = parts[i]!;
    const v = values[i]!;
    if (v < 0 || v > max) return { ok: false, reason: `PCI ${what} must be within [0..${max}]` };
  }
  return { ok: true, bus: values[0]!, device: values[1]!, function: values[2]! };
}

/** Canonical display form of a PCI address: `bb:dd.f`. */
export function formatPci(p: { bus: number; device: number; function: number }): string {
  return `${p.bus.toString(16).padStart(2, '0')}:${p.device.toString(16).padStart(2, '0')}.${p.function.toString(16)}`;
}

/** Rust's `{:#x}`. */
export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
