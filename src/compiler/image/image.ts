import type { AllocationPlan } from '../alloc/allocate.js';
import type { Spec } from '../spec/types.js';
import { SPEC_VERSION } from '../spec/types.js';
import { sha256, sha256Hex } from '../../util/sha256.js';

/**
 * The boot image (docs/image-format.md): a header with a magic, a version, the total size and a
 * SHA-256 of everything after the header; a section table; the system (Spec and allocation
 * plan, as JSON) and the frame data. The same inputs give the same bytes: no timestamps, no
 * paths beyond the names the description used.
 */

export const IMAGE_MAGIC = 'SEL4TSIM';
const IMAGE_VERSION = 1;
export const HEADER_SIZE = 56;
const SECTION_SYSTEM = 1;
const SECTION_FRAME_DATA = 2;

export interface BootImage {
  spec: Spec;
  plan: AllocationPlan;
  /** The frame-data section: fills in the Spec point into it. */
  data: Uint8Array;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * Lay out the frame contents: each frame's fills become ranges of the data section (the Spec is
 * updated in place), identical pages stored once.
 */
export function packFrameData(spec: Spec, contents: Map<number, { offset: number; bytes: Uint8Array }[]>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const seen = new Map<string, number>();
  let size = 0;
  for (const index of [...contents.keys()].sort((a, b) => a - b)) {
    const obj = spec.objects[index]!;
    if (obj.kind !== 'frame') continue;
    obj.fill = [];
    for (const part of contents.get(index)!) {
      // Trailing zeros need not be stored: frames start zeroed.
      let length = part.bytes.length;
      while (length > 0 && part.bytes[length - 1] === 0) length--;
      if (length === 0) continue;
      const bytes = part.bytes.subarray(0, length);
      const key = sha256Hex(bytes);
      let blob = seen.get(key);
      if (blob === undefined) {
        blob = size;
        seen.set(key, blob);
        chunks.push(bytes);
        size += bytes.length;
      }
      obj.fill.push({ offset: part.offset, blob, length });
    }
  }
  const data = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return data;
}

export function writeImage(image: BootImage): Uint8Array {
  const system = new TextEncoder().encode(JSON.stringify({ spec: image.spec, plan: image.plan }));
  const sections = [
    { kind: SECTION_SYSTEM, bytes: system },
    { kind: SECTION_FRAME_DATA, bytes: image.data },
  ];
  let offset = align8(HEADER_SIZE + sections.length * 24);
  const table = sections.map((s) => {
    const entry = { kind: s.kind, offset, size: s.bytes.length };
    offset = align8(offset + s.bytes.length);
    return entry;
  });
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(IMAGE_MAGIC), 0);
  view.setUint32(8, IMAGE_VERSION, true);
  view.setUint32(12, sections.length, true);
  view.setBigUint64(16, BigInt(out.length), true);
  table.forEach((t, i) => {
    const o = HEADER_SIZE + i * 24;
    view.setUint32(o, t.kind, true);
    view.setBigUint64(o + 8, BigInt(t.offset), true);
    view.setBigUint64(o + 16, BigInt(t.size), true);
    out.set(sections[i]!.bytes, t.offset);
  });
  out.set(sha256(out.subarray(HEADER_SIZE)), 24);
  return out;
}

export type ReadImageResult = { ok: true; image: BootImage } | { ok: false; error: string };

/** Read and check an image; every problem is one line that says what is wrong. */
export function readImage(bytes: Uint8Array): ReadImageResult {
  const fail = (error: string): ReadImageResult => ({ ok: false, error });
  if (bytes.length < HEADER_SIZE) return fail(`it is ${bytes.length} bytes long, shorter than the ${HEADER_SIZE}-byte header of a sel4ts image`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== IMAGE_MAGIC) return fail('it is not a sel4ts boot image (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== IMAGE_VERSION) return fail(`it is a version ${version} image; this sel4ts reads version ${IMAGE_VERSION}`);
  const total = view.getBigUint64(16, true);
  if (total !== BigInt(bytes.length)) return fail(`it is ${bytes.length} bytes long but its header says ${total} (truncated or extended)`);
  const digest = sha256(bytes.subarray(HEADER_SIZE));
  if (!digest.every((b, i) => b === bytes[24 + i])) return fail('its checksum does not match its contents (the file is corrupt)');
  const count = view.getUint32(12, true);
  if (HEADER_SIZE + count * 24 > bytes.length) return fail('its section table runs past the end of the file');
  const sections = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const o = HEADER_SIZE + i * 24;
    const kind = view.getUint32(o, true);
    const offset = view.getBigUint64(o + 8, true);
    const size = view.getBigUint64(o + 16, true);
    if (offset + size > BigInt(bytes.length)) return fail(`section ${i} runs past the end of the file`);
    sections.set(kind, bytes.subarray(Number(offset), Number(offset + size)));
  }
  const system = sections.get(SECTION_SYSTEM);
  const data = sections.get(SECTION_FRAME_DATA);
  if (!system || !data) return fail('it lacks its system or frame-data section');
  let parsed: { spec?: Spec; plan?: AllocationPlan };
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(system)) as typeof parsed;
  } catch {
    return fail('its system section is not valid JSON');
  }
  const spec = parsed.spec;
  const plan = parsed.plan;
  if (!spec || !plan || !Array.isArray(spec.objects) || !Array.isArray(plan.steps) || !Array.isArray(plan.untypeds)) return fail('its system section lacks the spec or the allocation plan');
  if (spec.version !== SPEC_VERSION) return fail(`its spec is version ${spec.version}; this sel4ts reads version ${SPEC_VERSION}`);
  for (const o of spec.objects) {
    if (o.kind !== 'frame') continue;
    for (const f of o.fill) {
      if (!(f.blob >= 0 && f.length >= 0 && f.blob + f.length <= data.length && f.offset >= 0 && f.offset + f.length <= 2 ** o.sizeBits)) {
        return fail(`frame '${o.name}' refers to data outside the frame-data section or the frame`);
      }
    }
  }
  return { ok: true, image: { spec, plan, data } };
}
