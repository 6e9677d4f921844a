import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/compiler/alloc/allocate.js';
import { loadProgramImage, patchSymbol } from '../src/compiler/elf/program-image.js';
import { HEADER_SIZE, readImage, writeImage } from '../src/compiler/image/image.js';
import { SPEC_VERSION, type Spec, type SpecObject } from '../src/compiler/spec/types.js';
import { SCENARIOS_ELF } from './helpers/kernel-system.js';

/** The boot image format, program checks and allocation, on their own. */

const elf = new Uint8Array(readFileSync(SCENARIOS_ELF));

function withHeader(bytes: Uint8Array, edit: (view: DataView, b: Uint8Array) => void): Uint8Array {
  const copy = new Uint8Array(bytes);
  edit(new DataView(copy.buffer), copy);
  return copy;
}

describe('program images', () => {
  it('loads an AArch64 executable with its segments and symbols', () => {
    const r = loadProgramImage('scenarios.elf', elf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image.entry).toBe(r.image.symbols.find((x) => x.name === '_start')!.value);
    expect(r.image.segments[0]!.vaddr).toBe(0x200000);
    expect(patchSymbol(r.image, 'no_such_symbol', new Uint8Array(8))).toEqual({ kind: 'missing', symbol: 'no_such_symbol', message: "'scenarios.elf' has no symbol 'no_such_symbol'" });
  });

  it('says what is wrong with a file that cannot be a program', () => {
    expect(loadProgramImage('x', new TextEncoder().encode('#!/bin/sh\n'.padEnd(80, '#')))).toEqual({ ok: false, code: 'program_image_not_elf', error: "'x': it is not an ELF file (bad magic)", referenceReason: 'magic check failed' });
    expect(loadProgramImage('x', elf.subarray(0, 20))).toMatchObject({ ok: false, error: "'x': it is 20 bytes long, too short for an ELF header" });
    const x86 = withHeader(elf, (v) => v.setUint16(18, 62, true));
    expect(loadProgramImage('x', x86)).toEqual({ ok: false, code: 'program_image_not_aarch64', error: "'x' is an ELF file for x86-64, not AArch64" });
    const pie = withHeader(elf, (v) => v.setUint16(16, 3, true));
    expect(loadProgramImage('x', pie).ok).toBe(false);
  });

  it('refuses segments that overlap or share a page', () => {
    // Move the second PT_LOAD's vaddr onto the first page.
    const r = loadProgramImage('s', elf);
    if (!r.ok) throw new Error(r.error);
    const phoff = Number(new DataView(elf.buffer, elf.byteOffset).getBigUint64(32, true));
    const shared = withHeader(elf, (v) => {
      for (let i = 0; i < 8; i++) {
        const o = phoff + i * 56;
        if (v.getUint32(o, true) === 1 && v.getBigUint64(o + 16, true) !== 0x200000n) {
          v.setBigUint64(o + 16, 0x200000n + BigInt(r.image.segments[0]!.data.length), true);
          break;
        }
      }
    });
    expect(loadProgramImage('s', shared)).toMatchObject({ ok: false, error: expect.stringMatching(/share the page at 0x20[0-9a-f]000|overlap/) });
  });
});

function tinySpec(objects: SpecObject[]): Spec {
  return { version: SPEC_VERSION, board: 'qemu_virt_aarch64', config: 'debug', kernel: { hypervisor: true, hardwareDebugApi: true, debugBuild: true, paBits: 40 }, objects, pds: [], symbols: {}, lines: {}, domainSchedule: undefined, numDomains: 1 };
}

describe('allocation', () => {
  it('places fixed frames at their address with fillers below, and the rest first fit', () => {
    const spec = tinySpec([
      { kind: 'frame', name: 'frame_mr_uart_000000000', holds: 'region uart', sizeBits: 12, paddr: 0x0900_0000, device: true, fill: [] },
      { kind: 'frame', name: 'frame_mr_fixed_000000000', holds: 'region fixed', sizeBits: 12, paddr: 0x4100_3000, device: false, fill: [] },
      { kind: 'cnode', name: 'cnode_a', radix: 9, slots: [] },
      { kind: 'endpoint', name: 'ep_a' },
    ]);
    const r = allocate(spec);
    if (!r.ok) throw new Error(r.error);
    expect(r.plan.paddr.slice(0, 2)).toEqual([0x0900_0000, 0x4100_3000]);
    // Fillers cover [0x4080_0000, 0x4100_3000) and the CNode fits in the first of them.
    expect(r.plan.paddr[2]).toBe(0x4080_0000);
    expect(r.plan.paddr[3]).toBe(0x4080_4000);
    expect(r.plan.steps.filter((s) => 'filler' in s).length).toBeGreaterThan(0);
  });

  it('names the object that does not fit and the largest free block', () => {
    const frames: SpecObject[] = Array.from({ length: 3 }, (_, i) => ({ kind: 'frame', name: `frame_mr_huge_${i}`, holds: 'region huge', sizeBits: 30, paddr: undefined, device: false, fill: [] }));
    expect(allocate(tinySpec(frames))).toMatchObject({ ok: false, error: "not enough memory for 'frame_mr_huge_1' (1024 MiB): the largest free block of RAM left is 512 MiB, 512 MiB short" });
    const outside = tinySpec([{ kind: 'frame', name: 'frame_mr_gic_0', holds: 'region gic', sizeBits: 12, paddr: 0x0800_0000, device: true, fill: [] }]);
    expect(allocate(outside)).toMatchObject({ ok: false, error: expect.stringContaining("'frame_mr_gic_0' must be at 0x8000000") });
  });
});

describe('the boot image format', () => {
  const spec = tinySpec([{ kind: 'frame', name: 'frame_mr_a_000000000', holds: 'region a', sizeBits: 12, paddr: undefined, device: false, fill: [{ offset: 16, blob: 0, length: 4 }] }]);
  const plan = (allocate(spec) as { plan: import('../src/compiler/alloc/allocate.js').AllocationPlan }).plan;
  const bytes = writeImage({ spec, plan, data: new Uint8Array([1, 2, 3, 4]) });

  it('round-trips and is deterministic', () => {
    expect(writeImage({ spec, plan, data: new Uint8Array([1, 2, 3, 4]) })).toEqual(bytes);
    const r = readImage(bytes);
    expect(r.ok && r.image.spec).toEqual(spec);
    expect(r.ok && [...r.image.data]).toEqual([1, 2, 3, 4]);
  });

  it('rejects a bad image with one line saying why', () => {
    const err = (b: Uint8Array) => (readImage(b) as { error: string }).error;
    expect(err(bytes.subarray(0, 10))).toBe('it is 10 bytes long, shorter than the 56-byte header of a sel4ts image');
    expect(err(withHeader(bytes, (_, b) => (b[0] = 0x41)))).toBe('it is not a sel4ts boot image (bad magic)');
    expect(err(withHeader(bytes, (v) => v.setUint32(8, 2, true)))).toBe('it is a version 2 image; this sel4ts reads version 1');
    expect(err(bytes.subarray(0, bytes.length - 8))).toMatch(/header says \d+ \(truncated or extended\)/);
    expect(err(withHeader(bytes, (v) => v.setUint8(HEADER_SIZE + 60, v.getUint8(HEADER_SIZE + 60) ^ 1)))).toBe('its checksum does not match its contents (the file is corrupt)');
  });
});
