import type { FlatSpace } from '../memory/flat-space.js';

/**
 * The initial stack of a Linux process, laid out as Linux's execve does (fs/exec.c and
 * fs/binfmt_elf.c, create_elf_tables), from the top down:
 *
 *   one zero pointer at the very top;
 *   the executable's file name (AT_EXECFN), the environment strings, the argument strings;
 *   (aligned to 16) the platform string "aarch64" (AT_PLATFORM);
 *   16 random bytes (AT_RANDOM);
 *   (SP, aligned to 16) argc, argv[0..argc-1], NULL, envp[…], NULL, auxv pairs, AT_NULL.
 */

// Auxiliary vector keys (include/uapi/linux/auxvec.h).
export const AT_NULL = 0;
export const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
const AT_BASE = 7;
const AT_FLAGS = 8;
const AT_ENTRY = 9;
const AT_UID = 11;
const AT_EUID = 12;
const AT_GID = 13;
const AT_EGID = 14;
export const AT_PLATFORM = 15;
const AT_HWCAP = 16;
const AT_CLKTCK = 17;
const AT_SECURE = 23;
export const AT_RANDOM = 25;
const AT_HWCAP2 = 26;
export const AT_EXECFN = 31;

/**
 * arm64 HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h) of what the CPU model implements:
 * FP, ASIMD and the ARMv8.1 atomics. Not CPUID: the model does not trap EL0 reads of the ID
 * registers as Linux does, so programs must not try them.
 */
const HWCAP_FP = 1 << 0;
const HWCAP_ASIMD = 1 << 1;
const HWCAP_ATOMICS = 1 << 8;
const ELF_HWCAP = HWCAP_FP | HWCAP_ASIMD | HWCAP_ATOMICS;

export const PAGE_SIZE = 4096;
/** sysconf(_SC_CLK_TCK): USER_HZ. */
const CLOCKS_PER_SEC = 100;

export interface StackImage {
  argv: string[];
  envp: string[];
  /** The path the program was started by (AT_EXECFN). */
  execfn: string;
  /** Where the program headers are in memory, their size and count (AT_PHDR, AT_PHENT, AT_PHNUM). */
  phdr: number;
  phent: number;
  phnum: number;
  entry: number;
  uid: number;
  gid: number;
  random: Uint8Array;
}

/** Write the initial stack below `top`; returns the initial SP (which points at argc). */
export function buildInitialStack(space: FlatSpace, top: number, image: StackImage): number {
  const enc = new TextEncoder();
  let p = top - 8; // bprm->p starts one pointer below the top
  const push = (bytes: Uint8Array): number => {
    p -= bytes.length;
    space.write(p, bytes);
    return p;
  };
  const pushString = (s: string): number => push(enc.encode(`${s}\0`));
  const execfn = pushString(image.execfn);
  // copy_strings copies the last string first, so the first ends up lowest.
  const envPtrs = [...image.envp].reverse().map(pushString).reverse();
  const argPtrs = [...image.argv].reverse().map(pushString).reverse();
  p -= p % 16;
  const platform = pushString('aarch64');
  const random = push(image.random.subarray(0, 16));
  const auxv: [number, number][] = [
    [AT_HWCAP, ELF_HWCAP],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, CLOCKS_PER_SEC],
    [AT_PHDR, image.phdr],
    [AT_PHENT, image.phent],
    [AT_PHNUM, image.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, image.entry],
    [AT_UID, image.uid],
    [AT_EUID, image.uid],
    [AT_GID, image.gid],
    [AT_EGID, image.gid],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_HWCAP2, 0],
    [AT_EXECFN, execfn],
    [AT_PLATFORM, platform],
    [AT_NULL, 0],
  ];
  const words = [argPtrs.length, ...argPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
  p = Math.floor((p - words.length * 8) / 16) * 16; // STACK_ROUND
  const data = new DataView(new ArrayBuffer(words.length * 8));
  words.forEach((w, i) => data.setBigUint64(i * 8, BigInt(w), true));
  space.write(p, new Uint8Array(data.buffer));
  return p;
}
