import { conditionHolds } from '../alu.js';
import type { Cpu } from '../cpu.js';
import { EC, ESR_IL, Stop } from '../fault.js';
import { SYSREG, SYSREG_NAMES } from '../sysregs.js';
import { CONDITIONS, imm, insn, xname, zr, zrw, type AnyInsnDef } from './types.js';

/** Branches, exception generation and system instructions (ARM DDI 0487, C4.1.85). */

const TWO32 = 4294967296;

/** Write a return address (a Number below 2^53) to X30. */
function link(cpu: Cpu, ret: number): void {
  cpu.R[60] = (ret % TWO32) | 0;
  cpu.R[61] = Math.floor(ret / TWO32) | 0;
}

interface Imm26 {
  offset: number;
}

const B = insn<Imm26>({
  name: 'B',
  pattern: '0 00101 imm26:26',
  prepare: (f) => ({ offset: ((f.imm26! << 6) >> 6) * 4 }),
  exec(cpu, a) {
    cpu.nextPc += a.offset - 4;
  },
  disasm: (a, pc) => `b\t${(pc + a.offset).toString(16)}`,
});

const BL = insn<Imm26>({
  name: 'BL',
  pattern: '1 00101 imm26:26',
  prepare: (f) => ({ offset: ((f.imm26! << 6) >> 6) * 4 }),
  exec(cpu, a) {
    link(cpu, cpu.nextPc);
    cpu.nextPc += a.offset - 4;
  },
  disasm: (a, pc) => `bl\t${(pc + a.offset).toString(16)}`,
});

interface CondBranch {
  offset: number;
  cond: number;
}

const B_cond = insn<CondBranch>({
  name: 'B_cond',
  pattern: '0101010 0 imm19:19 0 cond:4',
  prepare: (f) => ({ offset: ((f.imm19! << 13) >> 13) * 4, cond: f.cond! }),
  exec(cpu, a) {
    if (conditionHolds(a.cond, cpu.n, cpu.z, cpu.c, cpu.v)) cpu.nextPc += a.offset - 4;
  },
  disasm: (a, pc) => `b.${CONDITIONS[a.cond]}\t${(pc + a.offset).toString(16)}`,
});

interface CompareBranch {
  sf: number;
  t: number;
  rt: number;
  offset: number;
  nonzero: number;
}

const CBZ = insn<CompareBranch>({
  name: 'CBZ',
  pattern: 'sf:1 011010 op:1 imm19:19 rt:5',
  prepare: (f) => ({ sf: f.sf!, t: zr(f.rt!), rt: f.rt!, offset: ((f.imm19! << 13) >> 13) * 4, nonzero: f.op! }),
  exec(cpu, a) {
    const R = cpu.R;
    const zero = (a.sf ? R[2 * a.t]! | R[2 * a.t + 1]! : R[2 * a.t]!) === 0;
    if (zero !== (a.nonzero === 1)) cpu.nextPc += a.offset - 4;
  },
  disasm: (a, pc) => `${a.nonzero ? 'cbnz' : 'cbz'}\t${xname(a.rt, a.sf, 'zr')}, ${(pc + a.offset).toString(16)}`,
});

interface TestBranch {
  t: number;
  rt: number;
  bit: number;
  offset: number;
  nonzero: number;
}

const TBZ = insn<TestBranch>({
  name: 'TBZ',
  pattern: 'b5:1 011011 op:1 b40:5 imm14:14 rt:5',
  prepare: (f) => ({ t: zr(f.rt!), rt: f.rt!, bit: (f.b5! << 5) | f.b40!, offset: ((f.imm14! << 18) >> 18) * 4, nonzero: f.op! }),
  exec(cpu, a) {
    const R = cpu.R;
    const b = a.bit < 32 ? (R[2 * a.t]! >>> a.bit) & 1 : (R[2 * a.t + 1]! >>> (a.bit - 32)) & 1;
    if (b === a.nonzero) cpu.nextPc += a.offset - 4;
  },
  disasm: (a, pc) => `${a.nonzero ? 'tbnz' : 'tbz'}\t${xname(a.rt, a.bit >= 32 ? 1 : 0, 'zr')}, #${a.bit}, ${(pc + a.offset).toString(16)}`,
});

interface BranchReg {
  n: number;
  rn: number;
  link: number;
  ret: number;
}

/** Jump to the address in a register; a misaligned target raises the PC alignment fault. */
function branchTo(cpu: Cpu, lo: number, hi: number): void {
  const target = (hi >>> 0) * TWO32 + (lo >>> 0);
  if ((lo & 3) !== 0 || hi >>> 16 !== 0) {
    // Misaligned, or beyond the 48-bit VA range (which Number cannot hold exactly): fault now.
    cpu.farLo = lo;
    cpu.farHi = hi;
    if ((lo & 3) !== 0) {
      cpu.raise(Stop.PcAlignment, (EC.PC_ALIGNMENT << 26) | ESR_IL, cpu.nextPc - 4, true);
      cpu.pc = target;
    } else {
      cpu.raise(Stop.InstructionAbort, (EC.INSTRUCTION_ABORT_LOWER << 26) | ESR_IL | 0x00, cpu.nextPc - 4, true);
      cpu.pc = Number.MAX_SAFE_INTEGER;
    }
    return;
  }
  cpu.nextPc = target;
}

const BR = insn<BranchReg>({
  name: 'BR',
  pattern: '1101011 0 0 op:2 11111 000000 rn:5 00000',
  guard: (f) => f.op !== 3,
  prepare: (f) => ({ n: zr(f.rn!), rn: f.rn!, link: f.op === 1 ? 1 : 0, ret: f.op === 2 ? 1 : 0 }),
  exec(cpu, a) {
    const lo = cpu.R[2 * a.n]!;
    const hi = cpu.R[2 * a.n + 1]!;
    if (a.link) link(cpu, cpu.nextPc);
    branchTo(cpu, lo, hi);
  },
  disasm: (a) => (a.ret ? (a.rn === 30 ? 'ret' : `ret\t${xname(a.rn, 1, 'zr')}`) : `${a.link ? 'blr' : 'br'}\t${xname(a.rn, 1, 'zr')}`),
});

// ---------------------------------------------------------------- exceptions

interface ExcImm {
  imm16: number;
}

const SVC = insn<ExcImm>({
  name: 'SVC',
  pattern: '11010100 000 imm16:16 000 01',
  prepare: (f) => ({ imm16: f.imm16! }),
  exec(cpu, a) {
    cpu.raise(Stop.Svc, (EC.SVC64 << 26) | ESR_IL | a.imm16, cpu.nextPc, true);
  },
  disasm: (a) => `svc\t${imm(a.imm16)}`,
});

const BRK = insn<ExcImm>({
  name: 'BRK',
  pattern: '11010100 001 imm16:16 000 00',
  prepare: (f) => ({ imm16: f.imm16! }),
  exec(cpu, a) {
    cpu.raise(Stop.Brk, (EC.BRK64 << 26) | ESR_IL | a.imm16, cpu.nextPc - 4, false);
  },
  disasm: (a) => `brk\t${imm(a.imm16)}`,
});

// HVC, SMC, HLT, DCPS are UNDEFINED at EL0: they are left out of the table, so they decode
// as unallocated and raise the Undefined Instruction exception.

// ---------------------------------------------------------------- hints and barriers

interface Hint {
  op: number;
}

const HINT_NAMES: Record<number, string> = {
  0: 'nop',
  1: 'yield',
  2: 'wfe',
  3: 'wfi',
  4: 'sev',
  5: 'sevl',
  7: 'xpaclri',
  8: 'pacia1716',
  10: 'pacib1716',
  12: 'autia1716',
  14: 'autib1716',
  16: 'esb',
  17: 'psb\tcsync',
  20: 'csdb',
  24: 'paciaz',
  25: 'paciasp',
  26: 'pacibz',
  27: 'pacibsp',
  28: 'autiaz',
  29: 'autiasp',
  30: 'autibz',
  31: 'autibsp',
  32: 'bti',
  34: 'bti\tc',
  36: 'bti\tj',
  38: 'bti\tjc',
};

const HINT = insn<Hint>({
  name: 'HINT',
  pattern: '1101010100 0 00 011 0010 crm:4 op2:3 11111',
  prepare: (f) => ({ op: (f.crm! << 3) | f.op2! }),
  exec(cpu, a) {
    // WFI and WFE wait for an event: the machine skips to the next interrupt. Every other
    // hint (NOP, YIELD, BTI, and the pointer-authentication hints without FEAT_PAuth) is a NOP.
    if (a.op === 2 || a.op === 3) cpu.raise(Stop.Wait, (EC.WFX << 26) | ESR_IL | (a.op === 2 ? 1 : 0), cpu.nextPc, true);
  },
  disasm: (a) => HINT_NAMES[a.op] ?? `hint\t#0x${a.op.toString(16)}`,
});

interface Barrier {
  op: number;
  crm: number;
}

const BARRIER_OPTIONS = ['#0x0', 'oshld', 'oshst', 'osh', '#0x4', 'nshld', 'nshst', 'nsh', '#0x8', 'ishld', 'ishst', 'ish', '#0xc', 'ld', 'st', 'sy'];

const BARRIER = insn<Barrier>({
  name: 'BARRIER',
  pattern: '1101010100 0 00 011 0011 crm:4 op2:3 11111',
  guard: (f) => f.op2 === 2 || f.op2 === 4 || f.op2 === 5 || f.op2 === 6,
  prepare: (f) => ({ op: f.op2!, crm: f.crm! }),
  exec(cpu, a) {
    // One in-order core: barriers order nothing. CLREX clears the exclusive monitor.
    if (a.op === 2) cpu.exclusiveLo = -1;
  },
  disasm(a) {
    if (a.op === 2) return a.crm === 15 ? 'clrex' : `clrex\t#${a.crm}`;
    if (a.op === 6) return a.crm === 15 ? 'isb' : `isb\t#0x${a.crm.toString(16)}`;
    const name = a.op === 4 ? 'dsb' : 'dmb';
    if (a.op === 4 && a.crm === 0) return 'ssbb';
    if (a.op === 4 && a.crm === 4) return 'pssbb';
    return `${name}\t${BARRIER_OPTIONS[a.crm]}`;
  },
});

// ---------------------------------------------------------------- system registers

interface SysReg {
  t: number;
  rt: number;
  reg: number;
  read: number;
}

function sysregName(reg: number): string {
  const known = SYSREG_NAMES[reg];
  if (known) return known;
  const op0 = (reg >> 14) & 3;
  const op1 = (reg >> 11) & 7;
  const crn = (reg >> 7) & 15;
  const crm = (reg >> 3) & 15;
  const op2 = reg & 7;
  return `s${op0}_${op1}_c${crn}_c${crm}_${op2}`;
}

/**
 * Whether an EL0 access to `reg` that the machine refused traps to EL1 (EC 0x18) rather than
 * being UNDEFINED: the registers that EL0 may use when EL1 allows it, which the kernel's
 * configuration does not (ARM DDI 0487, D19: the "traps to EL1" conditions of each register).
 * On seL4 for qemu_virt_aarch64 these are the PMU (PMUSERENR_EL0.EN = 0), the virtual counter
 * and timer (CNTKCTL_EL1.EL0VCTEN/EL0VTEN = 0), DAIF (SCTLR_EL1.UMA = 0) and the debug
 * communication channel (MDSCR_EL1.TDCC). Everything else EL0 cannot reach is UNDEFINED.
 */
function el0Trappable(reg: number, read: number): boolean {
  const op0 = (reg >> 14) & 3;
  const op1 = (reg >> 11) & 7;
  const crn = (reg >> 7) & 15;
  const crm = (reg >> 3) & 15;
  const op2 = reg & 7;
  if (op0 === 2) return op1 === 3 && crn === 0 && op2 === 0 && (crm === 1 || crm === 4 || crm === 5); // MDCCSR_EL0, DBGDTR_EL0, DBGDTRRX/TX_EL0
  if (op0 !== 3 || op1 !== 3) return false;
  if (crn === 4) return crm === 2 && op2 === 1; // DAIF
  if (crn === 9) {
    if (crm === 12) return read ? op2 !== 4 : op2 !== 6 && op2 !== 7; // PMCR..PMCEID1; PMSWINC is write-only, PMCEID0/1 read-only
    if (crm === 13) return op2 <= 2; // PMCCNTR, PMXEVTYPER, PMXEVCNTR
    if (crm === 14) return op2 === 3; // PMOVSSET (PMUSERENR_EL0 is read-only at EL0, and readable)
    return false;
  }
  if (crn === 14) {
    if (crm === 0) return read === 1 && op2 <= 2; // CNTFRQ, CNTPCT, CNTVCT (read-only)
    if (crm === 2 || crm === 3) return op2 <= 2; // CNTP_*, CNTV_*
    if (crm >= 8) return !(crm === 11 && op2 === 7); // PMEVCNTR0..30 (c8-c11), PMEVTYPER0..30 and PMCCFILTR (c12-c15)
  }
  return false;
}

/** The ISS of an EC 0x18 trap: Op0, Op2, Op1, CRn, Rt, CRm, Direction. */
function msrMrsIss(reg: number, rt: number, read: number): number {
  return (((reg >> 14) & 3) << 20) | ((reg & 7) << 17) | (((reg >> 11) & 7) << 14) | (((reg >> 7) & 15) << 10) | (rt << 5) | (((reg >> 3) & 15) << 1) | read;
}

function trapMsrMrs(cpu: Cpu, a: SysReg): void {
  if (el0Trappable(a.reg, a.read)) cpu.systemAccessTrap(msrMrsIss(a.reg, a.rt, a.read));
  else cpu.undefinedInstruction();
}

const MRS = insn<SysReg>({
  name: 'MRS',
  pattern: '1101010100 1 1 reg:15 rt:5',
  prepare: (f) => ({ t: zrw(f.rt!), rt: f.rt!, reg: 0x8000 | f.reg!, read: 1 }),
  exec(cpu, a) {
    const R = cpu.R;
    let lo = 0;
    let hi = 0;
    switch (a.reg) {
      case SYSREG.NZCV:
        lo = cpu.nzcv;
        break;
      case SYSREG.FPCR:
        lo = cpu.fpcr;
        break;
      case SYSREG.FPSR:
        lo = cpu.fpsr;
        break;
      case SYSREG.TPIDR_EL0:
        lo = cpu.tpidrLo;
        hi = cpu.tpidrHi;
        break;
      case SYSREG.TPIDRRO_EL0:
        lo = cpu.tpidrroLo;
        hi = cpu.tpidrroHi;
        break;
      case SYSREG.CTR_EL0:
        // Cortex-A53: IminLine 16 words, L1Ip VIPT, DminLine 16 words, ERG/CWG 16 words.
        lo = 0x84448004;
        break;
      case SYSREG.DCZID_EL0:
        lo = cpu.el0DcZva ? 4 : 0x14; // DC ZVA zeroes 64 bytes; DZP (bit 4) when EL0 may not
        break;
      case SYSREG.PMUSERENR_EL0:
        lo = 0; // EN = 0: the PMU is not exported to EL0
        break;
      default: {
        // The rest are the generic timer's: they read virtual time.
        if (cpu.syncTime()) return;
        const v = cpu.sysregs.read(a.reg);
        if (!v) {
          trapMsrMrs(cpu, a);
          return;
        }
        lo = v.lo;
        hi = v.hi;
      }
    }
    R[2 * a.t] = lo;
    R[2 * a.t + 1] = hi;
  },
  disasm: (a) => `mrs\t${xname(a.rt, 1, 'zr')}, ${sysregName(a.reg)}`,
});

const MSR_r = insn<SysReg>({
  name: 'MSR_r',
  pattern: '1101010100 0 1 reg:15 rt:5',
  prepare: (f) => ({ t: zr(f.rt!), rt: f.rt!, reg: 0x8000 | f.reg!, read: 0 }),
  exec(cpu, a) {
    const lo = cpu.R[2 * a.t]!;
    const hi = cpu.R[2 * a.t + 1]!;
    switch (a.reg) {
      case SYSREG.NZCV:
        cpu.nzcv = lo & 0xf0000000;
        return;
      case SYSREG.FPCR:
        // Writable fields: AHP, DN, FZ, RMode, Stride, FZ16, Len (no trapped exceptions on
        // this core). Stride and Len do nothing in AArch64 but read back on cores that also
        // run AArch32 at EL0, as the Cortex-A53 and A76 do (and QEMU keeps them).
        cpu.fpcr = lo & 0x07ff0000;
        return;
      case SYSREG.FPSR:
        cpu.fpsr = lo & 0xf800009f;
        return;
      case SYSREG.TPIDR_EL0:
        cpu.tpidrLo = lo;
        cpu.tpidrHi = hi;
        return;
      default:
        if (cpu.syncTime()) return;
        if (cpu.sysregs.write(a.reg, lo, hi)) cpu.endRunAfterTimerWrite();
        else trapMsrMrs(cpu, a);
    }
  },
  disasm: (a) => `msr\t${sysregName(a.reg)}, ${xname(a.rt, 1, 'zr')}`,
});

// ---------------------------------------------------------------- cache maintenance (SYS)

interface Sys {
  t: number;
  rt: number;
  op: number;
}

/** op1:CRn:CRm:op2 of the cache operations EL0 may use (with SCTLR_EL1.UCI/DZE set). */
const SYS_OPS: Record<number, string> = {
  [(3 << 11) | (7 << 7) | (4 << 3) | 1]: 'dc\tzva',
  [(3 << 11) | (7 << 7) | (10 << 3) | 1]: 'dc\tcvac',
  [(3 << 11) | (7 << 7) | (11 << 3) | 1]: 'dc\tcvau',
  [(3 << 11) | (7 << 7) | (12 << 3) | 1]: 'dc\tcvap',
  [(3 << 11) | (7 << 7) | (14 << 3) | 1]: 'dc\tcivac',
  [(3 << 11) | (7 << 7) | (5 << 3) | 1]: 'ic\tivau',
};
const DC_ZVA = (3 << 11) | (7 << 7) | (4 << 3) | 1;
const IC_IVAU = (3 << 11) | (7 << 7) | (5 << 3) | 1;

const SYS = insn<Sys>({
  name: 'SYS',
  pattern: '1101010100 0 01 op:14 rt:5',
  guard: (f) => f.op! in SYS_OPS,
  prepare: (f) => ({ t: zr(f.rt!), rt: f.rt!, op: f.op! }),
  exec(cpu, a) {
    const lo = cpu.R[2 * a.t]!;
    const hi = cpu.R[2 * a.t + 1]!;
    if (a.op === DC_ZVA) {
      if (!cpu.el0DcZva) {
        cpu.systemAccessTrap(msrMrsIss((1 << 14) | a.op, a.rt, 0));
        return;
      }
      // Zero the 64-byte block containing the address.
      const base = lo & ~63;
      cpu.probeWrite(base, hi, 64);
      for (let k = 0; k < 64; k += 8) cpu.store64((base + k) | 0, hi, 0, 0);
    } else if (a.op === IC_IVAU) {
      cpu.flushCode();
    }
  },
  disasm: (a) => `${SYS_OPS[a.op]}, ${xname(a.rt, 1, 'zr')}`,
});

export const BRANCH_SYS: AnyInsnDef[] = [B, BL, B_cond, CBZ, TBZ, BR, SVC, BRK, HINT, BARRIER, MRS, MSR_r, SYS];
