import type { ProgramImage } from './program-image.js';
import { findSymbol } from './program-image.js';

/**
 * Which Microkit configuration (debug or release) a PD program was built for, read from its
 * code. The two are not interchangeable: the kernel's debug system calls exist only in debug
 * kernels (a release kernel answers them with an UnknownSyscall fault), and the invocation
 * labels from TCBSetTLSBase on are 4 higher in debug (sdk/README.md "Configurations"), so a
 * program's IRQ acknowledgements and TCB/vCPU invocations mean something else on the other
 * kernel.
 *
 * The signals, most reliable first:
 *
 * 1. `microkit_dbg_putc`. libmicrokit's dbg.c (sdk/src/dbg.c, and the real libmicrokit's)
 *    compiles `seL4_DebugPutChar` into it only when CONFIG_PRINTING is set, that is in the
 *    debug configuration; in release its body is a bare `ret`. It is in every PD linked with
 *    libmicrokit, because libmicrokit's own default `protected`/`fault` handlers print through
 *    it. So: an `svc` inside it means debug, none means release.
 * 2. For a program without libmicrokit's printing, an `svc #0` whose syscall number in x7 is one
 *    of the debug calls (seL4_SysDebugPutChar = -12 … seL4_SysDebugNameThread = -17 in the MCS
 *    numbering; sdk/include/sel4/syscalls.h): both compilers load the number with
 *    `mov x7, #-N` (MOVN) shortly before the `svc`. Such a program was built for debug; the
 *    absence of one says nothing (a program may simply never print).
 *
 * The instruction scan never guesses past a basic pattern: a MOVN/MOVZ/MOVK of another value
 * into x7 between the two ends the look-back, so a false "debug" needs an `svc` that really
 * has a debug number in x7.
 */

export type ProgramConfig = 'debug' | 'release';

export interface ProgramConfigEvidence {
  config: ProgramConfig;
  /** Why, in words that finish "…, it was built for debug: <why>". */
  why: string;
}

const SVC_0 = 0xd4000001;
/** The MCS debug system call numbers, -12 … -17 (sdk/include/sel4/syscalls.h). */
const DEBUG_SYSCALLS: Record<number, string> = { 12: 'seL4_DebugPutChar', 13: 'seL4_DebugDumpScheduler', 14: 'seL4_DebugHalt', 15: 'seL4_DebugCapIdentify', 16: 'seL4_DebugSnapshot', 17: 'seL4_DebugNameThread' };
/** How far back from an `svc` the load of x7 is looked for. */
const LOOK_BACK = 16;

/** The instruction words of [address, address + size) when it lies in one executable segment. */
function codeWords(image: ProgramImage, address: number, size: number): Uint32Array | undefined {
  const seg = image.segments.find((s) => s.execute && address >= s.vaddr && address + size <= s.vaddr + s.data.length);
  if (!seg) return undefined;
  const from = address - seg.vaddr;
  const words = new Uint32Array(Math.floor(size / 4));
  const view = new DataView(seg.data.buffer, seg.data.byteOffset + from, words.length * 4);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true);
  return words;
}

/** The debug system call an `svc` at words[i] makes, if x7 was loaded with one just before it. */
function debugSyscallAt(words: Uint32Array, i: number): string | undefined {
  for (let k = i - 1; k >= 0 && k >= i - LOOK_BACK; k--) {
    const w = words[k]!;
    // Move wide immediate (MOVN/MOVZ/MOVK, either width) into register 7.
    if ((w & 0x1f800000) !== 0x12800000 || (w & 0x1f) !== 7) continue;
    // MOVN x7, #imm16 (64-bit, no shift): x7 = -(imm16 + 1).
    // (>>> 0: JavaScript's & gives a signed 32-bit result.)
    if ((w & 0xffe00000) >>> 0 !== 0x92800000) return undefined;
    const n = ((w >>> 5) & 0xffff) + 1;
    return DEBUG_SYSCALLS[n];
  }
  return undefined;
}

export function programConfig(image: ProgramImage): ProgramConfigEvidence | undefined {
  const putc = findSymbol(image, 'microkit_dbg_putc');
  if (putc && putc.size >= 4n) {
    const body = codeWords(image, Number(putc.value), Number(putc.size));
    if (body) {
      return body.includes(SVC_0)
        ? { config: 'debug', why: 'its libmicrokit prints through seL4_DebugPutChar (microkit_dbg_putc makes a system call)' }
        : { config: 'release', why: 'its libmicrokit prints nothing (microkit_dbg_putc makes no system call)' };
    }
  }
  for (const seg of image.segments) {
    if (!seg.execute) continue;
    const words = codeWords(image, seg.vaddr, seg.data.length)!;
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== SVC_0) continue;
      const call = debugSyscallAt(words, i);
      if (call) return { config: 'debug', why: `it calls ${call} (the system call at 0x${(seg.vaddr + i * 4).toString(16)})` };
    }
  }
  return undefined;
}
