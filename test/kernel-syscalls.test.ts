import { describe, expect, it } from 'vitest';
import { MICROKIT_DEBUG, MICROKIT_RELEASE } from '../src/kernel/object-types.js';
import { classifySyscall, IPC_BUFFER, messageInfoFromWord, messageInfoToWord, Syscall } from '../src/kernel/syscalls.js';

describe('system-call dispatch', () => {
  it('takes x7 in [-11, -1] as an API call', () => {
    expect(classifySyscall(0xffff_ffff_ffff_ffffn, MICROKIT_RELEASE)).toEqual({ kind: 'api', syscall: Syscall.Call });
    expect(classifySyscall(0xffff_ffff_ffff_fff5n, MICROKIT_RELEASE)).toEqual({ kind: 'api', syscall: Syscall.Yield });
  });

  it('knows the debug calls only in a debug build', () => {
    expect(classifySyscall(0xffff_ffff_ffff_fff4n, MICROKIT_DEBUG)).toEqual({ kind: 'debug', syscall: Syscall.DebugPutChar });
    expect(classifySyscall(0xffff_ffff_ffff_ffefn, MICROKIT_DEBUG)).toEqual({ kind: 'debug', syscall: Syscall.DebugNameThread });
    expect(classifySyscall(0xffff_ffff_ffff_fff4n, MICROKIT_RELEASE).kind).toBe('unknown');
  });

  it('sends everything else to UnknownSyscall: 0, positive numbers, a 32-bit -1', () => {
    for (const x7 of [0n, 5n, 0xffff_ffffn, 0xffff_ffff_ffff_ffeen]) expect(classifySyscall(x7, MICROKIT_DEBUG)).toEqual({ kind: 'unknown', number: x7 });
  });
});

describe('seL4_MessageInfo', () => {
  it('packs label, capsUnwrapped, extraCaps and length as libsel4 does', () => {
    const word = messageInfoToWord({ label: 0x25n, capsUnwrapped: 5, extraCaps: 2, length: 9 });
    expect(word).toBe((0x25n << 12n) | (5n << 9n) | (2n << 7n) | 9n);
    expect(messageInfoFromWord(word)).toEqual({ label: 0x25n, capsUnwrapped: 5, extraCaps: 2, length: 9 });
  });

  it('clamps the length to 120 on input and keeps a 52-bit label', () => {
    expect(messageInfoFromWord(0x7fn).length).toBe(120);
    expect(messageInfoFromWord(0xffff_ffff_ffff_f000n).label).toBe((1n << 52n) - 1n);
  });

  it('lays the IPC buffer out with MR i at word i + 1', () => {
    expect(IPC_BUFFER.msg + 8 * 119).toBe(0x3c0);
    expect(IPC_BUFFER.receiveDepth + 8).toBe(1 << IPC_BUFFER.SIZE_BITS);
  });
});
