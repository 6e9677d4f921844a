import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Access } from '../src/machine/cpu/address-space.js';
import { MemoryFault } from '../src/machine/cpu/fault.js';
import { AT_EXECFN, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PLATFORM, AT_RANDOM, buildInitialStack } from '../src/machine/linux/initial-stack.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MREMAP_MAYMOVE, PROT_READ, PROT_WRITE, ProcessMemory } from '../src/machine/linux/process-memory.js';
import { nodeHostFiles } from '../src/cli/linux-host-files.js';
import { syscallName } from '../src/machine/linux/syscall-names.js';
import { FlatSpace, PERM_R, PERM_W } from '../src/machine/memory/flat-space.js';

/** The Linux process layer of `sel4ts machine exec`, below the system calls. */

const TOP = 0x7fff_fff0_0000;

function words(space: FlatSpace, va: number, n: number): number[] {
  const d = new DataView(space.read(va, n * 8)!.buffer);
  return Array.from({ length: n }, (_, i) => Number(d.getBigUint64(i * 8, true)));
}

function cString(space: FlatSpace, va: number): string {
  let s = '';
  for (let at = va; space.read(at, 1)![0] !== 0; at++) s += String.fromCharCode(space.read(at, 1)![0]!);
  return s;
}

/** Whether `va` faults for `access`: 'translation', 'permission', or undefined. */
function faultOf(space: FlatSpace, va: number, access: Access): string | undefined {
  try {
    space.translate((va % 2 ** 32) | 0, Math.floor(va / 2 ** 32), access);
    return undefined;
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    return (e.fsc & 0x3c) === 0x04 ? 'translation' : 'permission';
  }
}

describe('the initial stack', () => {
  const space = new FlatSpace();
  space.map(TOP - 65536, 65536, PERM_R | PERM_W);
  const random = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
  const sp = buildInitialStack(space, TOP, { argv: ['prog', 'a1'], envp: ['X=1', 'Y=2'], execfn: './prog', phdr: 0x400040, phent: 56, phnum: 3, entry: 0x400100, uid: 1000, gid: 1000, random });
  const w = words(space, sp, 46); // argc, 2 + 1 argv, 2 + 1 envp, 19 auxv pairs

  it('is argc, argv, NULL, envp, NULL, then auxv pairs ending in AT_NULL, at a 16-byte aligned SP', () => {
    expect(sp % 16).toBe(0);
    expect(w[0]).toBe(2);
    expect([cString(space, w[1]!), cString(space, w[2]!), w[3]]).toEqual(['prog', 'a1', 0]);
    expect([cString(space, w[4]!), cString(space, w[5]!), w[6]]).toEqual(['X=1', 'Y=2', 0]);
    const auxv = new Map<number, number>();
    let i = 7;
    for (; w[i] !== AT_NULL; i += 2) auxv.set(w[i]!, w[i + 1]!);
    expect(w[i + 1]).toBe(0);
    // Linux's order (create_elf_tables): AT_HWCAP first, AT_PLATFORM last.
    expect([...auxv.keys()]).toEqual([16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15]);
    expect(auxv.get(AT_PAGESZ)).toBe(4096);
    expect(auxv.get(AT_PHDR)).toBe(0x400040);
    expect(space.read(auxv.get(AT_RANDOM)!, 16)).toEqual(random);
    expect(cString(space, auxv.get(AT_PLATFORM)!)).toBe('aarch64');
    expect(cString(space, auxv.get(AT_EXECFN)!)).toBe('./prog');
  });

  it('has the strings above the vectors: argv, envp, then the file name just below a zero pointer at the top', () => {
    expect(w[1]! < w[2]! && w[2]! < w[4]! && w[4]! < w[5]!).toBe(true);
    expect(words(space, TOP - 8, 1)).toEqual([0]);
    expect(cString(space, TOP - 8 - './prog\0'.length)).toBe('./prog');
  });
});

describe('the process memory map', () => {
  const setup = (): { space: FlatSpace; mem: ProcessMemory; flushes: () => number } => {
    const space = new FlatSpace();
    space.map(0x400000, 0x1234, PERM_R);
    space.map(0x411000, 0x2345, PERM_R | PERM_W);
    let flushes = 0;
    const mem = new ProcessMemory(
      space,
      [
        [0x400000, 0x401234, PERM_R],
        [0x411000, 0x413345, PERM_R | PERM_W],
      ],
      0x7000_0000_0000,
      () => flushes++,
    );
    return { space, mem, flushes: () => flushes };
  };

  it('puts the break at the page after the highest segment; it grows and shrinks', () => {
    const { space, mem } = setup();
    expect(mem.setBrk(0)).toBe(0x414000);
    expect(mem.setBrk(0x416010)).toBe(0x416010);
    expect(faultOf(space, 0x416ff8, Access.Write)).toBeUndefined();
    expect(faultOf(space, 0x417000, Access.Read)).toBe('translation');
    expect(mem.setBrk(0x415000)).toBe(0x415000);
    expect(faultOf(space, 0x415000, Access.Read)).toBe('translation');
    expect(mem.setBrk(0x1000)).toBe(0x415000); // below the start: unchanged
  });

  it('allocates mmap regions top-down below the mmap base, zeroed; munmap unmaps them', () => {
    const { space, mem, flushes } = setup();
    const a = mem.mmap(0, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    const b = mem.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    expect([a, b]).toEqual([0x7000_0000_0000 - 0x3000, 0x7000_0000_0000 - 0x4000]);
    expect(space.read(a, 0x3000)!.every((x) => x === 0)).toBe(true);
    expect(faultOf(space, b, Access.Write)).toBe('permission');
    expect(mem.munmap(a + 0x1000, 0x1000)).toBe(0);
    expect(flushes()).toBeGreaterThan(0);
    expect(faultOf(space, a + 0x1000, Access.Read)).toBe('translation');
    expect(faultOf(space, a + 0x2000, Access.Read)).toBeUndefined();
    // The hole is reused first.
    expect(mem.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS)).toBe(a + 0x1000);
  });

  it('MAP_FIXED replaces what was there; mprotect changes rights; mremap moves contents', () => {
    const { space, mem } = setup();
    const a = mem.mmap(0, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    space.write(a, new Uint8Array([1, 2, 3]));
    expect(mem.mmap(a, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(a);
    expect([...space.read(a, 3)!]).toEqual([0, 0, 0]);
    expect(mem.mprotect(a, 0x1000, PROT_READ)).toBe(0);
    expect(faultOf(space, a, Access.Write)).toBe('permission');
    expect(faultOf(space, a + 0x1000, Access.Write)).toBeUndefined();
    expect(mem.mprotect(a + 0x10000000, 0x1000, PROT_READ)).toBe(-12); // ENOMEM: not mapped
    space.write(a + 0x1000, new Uint8Array([9, 8, 7]));
    mem.mmap(a - 0x1000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED); // blocks growth downwards only
    const moved = mem.mremap(a + 0x1000, 0x1000, 0x100000, MREMAP_MAYMOVE);
    expect(moved).toBe(a + 0x1000); // room above: grown in place
    const b = mem.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    const c = mem.mremap(b, 0x1000, 0x3000, MREMAP_MAYMOVE);
    expect(c).not.toBe(b);
    expect(faultOf(space, b, Access.Read)).toBe('translation');
    mem.mmap(moved + 0x100000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    expect(mem.mremap(moved, 0x100000, 0x200000, 0)).toBe(-12); // no room in place, may not move
    expect(mem.mremap(moved, 0x100000, 0x200000, MREMAP_MAYMOVE)).not.toBe(moved);
  });
});

describe('system call names', () => {
  it('are the arm64 (asm-generic) numbers', () => {
    expect([syscallName(56), syscallName(63), syscallName(64), syscallName(79), syscallName(94), syscallName(222), syscallName(293), syscallName(435)]).toEqual(['openat', 'read', 'write', 'newfstatat', 'exit_group', 'mmap', 'rseq', 'clone3']);
    expect(syscallName(300)).toBeUndefined();
  });
});

describe('host files', () => {
  const host = nodeHostFiles(join(import.meta.dirname, 'linux', 'programs'));

  it('reads regular files whole, relative to the working directory', () => {
    const f = host.open('input.txt');
    expect(typeof f).toBe('object');
    if (typeof f === 'number') return;
    expect(new TextDecoder().decode(f.bytes)).toMatch(/^The first line of a host file\.\n/);
    expect(f.size).toBe(f.bytes.length);
  });

  it('refuses devices, which cannot be read whole, and reports missing files', () => {
    expect(host.open('/dev/zero')).toBe(19); // ENODEV
    expect(host.open('missing.txt')).toBe(2); // ENOENT
  });
});
