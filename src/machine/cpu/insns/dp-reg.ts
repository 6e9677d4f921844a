import { addWithCarry32, addWithCarry64, clz64, conditionHolds, extend64, F, mul64, rbit32, rev16, rev32, shift32, shift64, T } from '../alu.js';
import type { Cpu } from '../cpu.js';
import { CONDITIONS, insn, sp, xname, zr, zrw, type AnyInsnDef } from './types.js';

/** Data processing — register (ARM DDI 0487, C4.1.87). */

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

function setFlags(cpu: Cpu): void {
  cpu.n = F.n;
  cpu.z = F.z;
  cpu.c = F.c;
  cpu.v = F.v;
}

// ---------------------------------------------------------------- logical (shifted register)

interface LogReg {
  sf: number;
  d: number;
  n: number;
  m: number;
  shift: number;
  amount: number;
  invert: number;
  op: number;
  rd: number;
  rn: number;
  rm: number;
}

const LOG_NAMES = [
  ['and', 'bic'],
  ['orr', 'orn'],
  ['eor', 'eon'],
  ['ands', 'bics'],
];

function logRegText(a: LogReg): string {
  const rd = xname(a.rd, a.sf, 'zr');
  const rn = xname(a.rn, a.sf, 'zr');
  const rm = xname(a.rm, a.sf, 'zr');
  const sh = a.amount || a.shift ? `, ${SHIFT_NAMES[a.shift]} #${a.amount}` : '';
  if (a.op === 1 && a.rn === 31 && !a.invert && a.amount === 0 && a.shift === 0) return `mov\t${rd}, ${rm}`;
  if (a.op === 1 && a.rn === 31 && a.invert) return `mvn\t${rd}, ${rm}${sh}`;
  if (a.op === 3 && a.rd === 31 && !a.invert) return `tst\t${rn}, ${rm}${sh}`;
  return `${LOG_NAMES[a.op]![a.invert]}\t${rd}, ${rn}, ${rm}${sh}`;
}

/** The shifted (and possibly inverted) second operand, into T. */
function operand2(cpu: Cpu, a: { sf: number; m: number; shift: number; amount: number }): void {
  const R = cpu.R;
  if (a.sf) shift64(R[2 * a.m]!, R[2 * a.m + 1]!, a.shift, a.amount);
  else {
    T.lo = shift32(R[2 * a.m]!, a.shift, a.amount);
    T.hi = 0;
  }
}

const LOG_r = insn<LogReg>({
  name: 'LOG_r',
  pattern: 'sf:1 opc:2 01010 shift:2 N:1 rm:5 imm6:6 rn:5 rd:5',
  guard: (f) => f.sf === 1 || f.imm6! < 32,
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), shift: f.shift!, amount: f.imm6!, invert: f.N!, op: f.opc!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec(cpu, a) {
    const R = cpu.R;
    let blo: number;
    let bhi: number;
    if (a.amount === 0) {
      blo = R[2 * a.m]!;
      bhi = a.sf ? R[2 * a.m + 1]! : 0;
    } else {
      operand2(cpu, a);
      blo = T.lo;
      bhi = T.hi;
    }
    if (a.invert) {
      blo = ~blo;
      bhi = a.sf ? ~bhi : 0;
    }
    const alo = R[2 * a.n]!;
    const ahi = a.sf ? R[2 * a.n + 1]! : 0;
    let lo: number;
    let hi: number;
    switch (a.op) {
      case 0:
      case 3:
        lo = alo & blo;
        hi = ahi & bhi;
        break;
      case 1:
        lo = alo | blo;
        hi = ahi | bhi;
        break;
      default:
        lo = alo ^ blo;
        hi = ahi ^ bhi;
    }
    R[2 * a.d] = lo;
    R[2 * a.d + 1] = hi;
    if (a.op === 3) {
      cpu.n = (a.sf ? hi : lo) >>> 31;
      cpu.z = (lo | hi) === 0 ? 1 : 0;
      cpu.c = 0;
      cpu.v = 0;
    }
  },
  disasm: logRegText,
});

// ---------------------------------------------------------------- add/sub (shifted register)

interface AddSubReg {
  sf: number;
  d: number;
  n: number;
  m: number;
  shift: number;
  amount: number;
  sub: number;
  flags: number;
  rd: number;
  rn: number;
  rm: number;
}

function addSubRegText(a: AddSubReg): string {
  const rd = xname(a.rd, a.sf, 'zr');
  const rn = xname(a.rn, a.sf, 'zr');
  const rm = xname(a.rm, a.sf, 'zr');
  const sh = a.amount ? `, ${SHIFT_NAMES[a.shift]} #${a.amount}` : '';
  if (a.flags && a.rd === 31) return `${a.sub ? 'cmp' : 'cmn'}\t${rn}, ${rm}${sh}`;
  if (a.sub && a.rn === 31) return `${a.flags ? 'negs' : 'neg'}\t${rd}, ${rm}${sh}`;
  return `${a.sub ? 'sub' : 'add'}${a.flags ? 's' : ''}\t${rd}, ${rn}, ${rm}${sh}`;
}

function ADDSUB_r_exec(cpu: Cpu, a: AddSubReg): void {
  {
    const R = cpu.R;
    let blo: number;
    let bhi: number;
    if (a.amount === 0) {
      blo = R[2 * a.m]!;
      bhi = R[2 * a.m + 1]!;
    } else {
      operand2(cpu, a);
      blo = T.lo;
      bhi = T.hi;
    }
    const alo = R[2 * a.n]!;
    const ahi = R[2 * a.n + 1]!;
    if (a.flags) {
      if (a.sf) addWithCarry64(alo, ahi, a.sub ? ~blo : blo, a.sub ? ~bhi : bhi, a.sub);
      else addWithCarry32(alo, a.sub ? ~blo : blo, a.sub);
      R[2 * a.d] = T.lo;
      R[2 * a.d + 1] = T.hi;
      setFlags(cpu);
      return;
    }
    if (!a.sf) {
      R[2 * a.d] = a.sub ? (alo - blo) | 0 : (alo + blo) | 0;
      R[2 * a.d + 1] = 0;
    } else if (a.sub) {
      const lo = (alo >>> 0) - (blo >>> 0);
      R[2 * a.d + 1] = (ahi - bhi - (lo < 0 ? 1 : 0)) | 0;
      R[2 * a.d] = lo | 0;
    } else {
      const lo = (alo >>> 0) + (blo >>> 0);
      R[2 * a.d + 1] = (ahi + bhi + (lo > 0xffffffff ? 1 : 0)) | 0;
      R[2 * a.d] = lo | 0;
    }
  }
}

const ADDSUB_r = insn<AddSubReg>({
  name: 'ADDSUB_r',
  pattern: 'sf:1 op:1 S:1 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5',
  guard: (f) => f.shift !== 3 && (f.sf === 1 || f.imm6! < 32),
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), shift: f.shift!, amount: f.imm6!, sub: f.op!, flags: f.S!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec: ADDSUB_r_exec,
  execFor: (a) => (a.sf && a.amount === 0 ? (a.flags ? (a.sub ? subsX : addsX) : a.sub ? subX : addX) : ADDSUB_r_exec),
  disasm: addSubRegText,
});

// Specialised forms of the commonest register add/sub (64-bit, no shift), without the generic
// handler's branches, for the interpreter (compiled code has its own: jit/rows.ts).
function addX(cpu: Cpu, a: AddSubReg): void {
  const R = cpu.R;
  const lo = (R[2 * a.n]! >>> 0) + (R[2 * a.m]! >>> 0);
  R[2 * a.d + 1] = (R[2 * a.n + 1]! + R[2 * a.m + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0;
  R[2 * a.d] = lo | 0;
}

function subX(cpu: Cpu, a: AddSubReg): void {
  const R = cpu.R;
  const lo = (R[2 * a.n]! >>> 0) - (R[2 * a.m]! >>> 0);
  R[2 * a.d + 1] = (R[2 * a.n + 1]! - R[2 * a.m + 1]! - (lo < 0 ? 1 : 0)) | 0;
  R[2 * a.d] = lo | 0;
}

function subsX(cpu: Cpu, a: AddSubReg): void {
  const R = cpu.R;
  addWithCarry64(R[2 * a.n]!, R[2 * a.n + 1]!, ~R[2 * a.m]!, ~R[2 * a.m + 1]!, 1);
  R[2 * a.d] = T.lo;
  R[2 * a.d + 1] = T.hi;
  cpu.n = F.n;
  cpu.z = F.z;
  cpu.c = F.c;
  cpu.v = F.v;
}

function addsX(cpu: Cpu, a: AddSubReg): void {
  const R = cpu.R;
  addWithCarry64(R[2 * a.n]!, R[2 * a.n + 1]!, R[2 * a.m]!, R[2 * a.m + 1]!, 0);
  R[2 * a.d] = T.lo;
  R[2 * a.d + 1] = T.hi;
  cpu.n = F.n;
  cpu.z = F.z;
  cpu.c = F.c;
  cpu.v = F.v;
}

// ---------------------------------------------------------------- add/sub (extended register)

interface AddSubExt {
  sf: number;
  d: number;
  n: number;
  m: number;
  option: number;
  amount: number;
  sub: number;
  flags: number;
  rd: number;
  rn: number;
  rm: number;
}

const EXTEND_NAMES = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

const ADDSUB_ext = insn<AddSubExt>({
  name: 'ADDSUB_ext',
  pattern: 'sf:1 op:1 S:1 01011 00 1 rm:5 option:3 imm3:3 rn:5 rd:5',
  guard: (f) => f.imm3! <= 4,
  prepare: (f) => ({
    sf: f.sf!,
    d: f.S ? zrw(f.rd!) : sp(f.rd!),
    n: sp(f.rn!),
    m: zr(f.rm!),
    option: f.option!,
    amount: f.imm3!,
    sub: f.op!,
    flags: f.S!,
    rd: f.rd!,
    rn: f.rn!,
    rm: f.rm!,
  }),
  exec(cpu, a) {
    const R = cpu.R;
    extend64(R[2 * a.m]!, R[2 * a.m + 1]!, a.option, a.amount);
    const blo = T.lo;
    const bhi = T.hi;
    const alo = R[2 * a.n]!;
    const ahi = R[2 * a.n + 1]!;
    if (a.sf) addWithCarry64(alo, ahi, a.sub ? ~blo : blo, a.sub ? ~bhi : bhi, a.sub);
    else addWithCarry32(alo, a.sub ? ~blo : blo, a.sub);
    R[2 * a.d] = T.lo;
    R[2 * a.d + 1] = T.hi;
    if (a.flags) setFlags(cpu);
  },
  disasm(a) {
    const rd = xname(a.rd, a.sf, a.flags ? 'zr' : 'sp');
    const rn = xname(a.rn, a.sf, 'sp');
    const rm = xname(a.rm, a.sf && (a.option & 3) === 3 ? 1 : 0, 'zr');
    const lslAlias = (a.rd === 31 && !a.flags) || a.rn === 31;
    const ext = lslAlias && a.option === (a.sf ? 3 : 2) ? (a.amount ? `, lsl #${a.amount}` : '') : `, ${EXTEND_NAMES[a.option]}${a.amount ? ` #${a.amount}` : ''}`;
    if (a.flags && a.rd === 31) return `${a.sub ? 'cmp' : 'cmn'}\t${rn}, ${rm}${ext}`;
    return `${a.sub ? 'sub' : 'add'}${a.flags ? 's' : ''}\t${rd}, ${rn}, ${rm}${ext}`;
  },
});

// ---------------------------------------------------------------- ADC, SBC

interface Adc {
  sf: number;
  d: number;
  n: number;
  m: number;
  sub: number;
  flags: number;
  rd: number;
  rn: number;
  rm: number;
}

const ADC_SBC = insn<Adc>({
  name: 'ADC_SBC',
  pattern: 'sf:1 op:1 S:1 11010000 rm:5 000000 rn:5 rd:5',
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), sub: f.op!, flags: f.S!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec(cpu, a) {
    const R = cpu.R;
    let blo = R[2 * a.m]!;
    let bhi = R[2 * a.m + 1]!;
    if (a.sub) {
      blo = ~blo;
      bhi = ~bhi;
    }
    if (a.sf) addWithCarry64(R[2 * a.n]!, R[2 * a.n + 1]!, blo, bhi, cpu.c);
    else addWithCarry32(R[2 * a.n]!, blo, cpu.c);
    R[2 * a.d] = T.lo;
    R[2 * a.d + 1] = T.hi;
    if (a.flags) setFlags(cpu);
  },
  disasm(a) {
    const rd = xname(a.rd, a.sf, 'zr');
    const rm = xname(a.rm, a.sf, 'zr');
    if (a.sub && a.rn === 31) return `${a.flags ? 'ngcs' : 'ngc'}\t${rd}, ${rm}`;
    return `${a.sub ? 'sbc' : 'adc'}${a.flags ? 's' : ''}\t${rd}, ${xname(a.rn, a.sf, 'zr')}, ${rm}`;
  },
});

// ---------------------------------------------------------------- CCMP, CCMN

interface CondCmp {
  sf: number;
  n: number;
  m: number;
  imm: number;
  useImm: number;
  cond: number;
  nzcv: number;
  sub: number;
  rn: number;
  rm: number;
}

function condCmpExec(cpu: Cpu, a: CondCmp): void {
  if (!conditionHolds(a.cond, cpu.n, cpu.z, cpu.c, cpu.v)) {
    cpu.nzcv = a.nzcv << 28;
    return;
  }
  const R = cpu.R;
  let blo = a.useImm ? a.imm : R[2 * a.m]!;
  let bhi = a.useImm ? 0 : R[2 * a.m + 1]!;
  if (a.sub) {
    blo = ~blo;
    bhi = ~bhi;
  }
  if (a.sf) addWithCarry64(R[2 * a.n]!, R[2 * a.n + 1]!, blo, bhi, a.sub);
  else addWithCarry32(R[2 * a.n]!, blo, a.sub);
  setFlags(cpu);
}

function condCmpText(a: CondCmp): string {
  const op2 = a.useImm ? `#${a.imm}` : xname(a.rm, a.sf, 'zr');
  return `${a.sub ? 'ccmp' : 'ccmn'}\t${xname(a.rn, a.sf, 'zr')}, ${op2}, #0x${a.nzcv.toString(16)}, ${CONDITIONS[a.cond]}`;
}

const CCMP_r = insn<CondCmp>({
  name: 'CCMP_r',
  pattern: 'sf:1 op:1 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4',
  prepare: (f) => ({ sf: f.sf!, n: zr(f.rn!), m: zr(f.rm!), imm: 0, useImm: 0, cond: f.cond!, nzcv: f.nzcv!, sub: f.op!, rn: f.rn!, rm: f.rm! }),
  exec: condCmpExec,
  disasm: condCmpText,
});

const CCMP_i = insn<CondCmp>({
  name: 'CCMP_i',
  pattern: 'sf:1 op:1 1 11010010 imm5:5 cond:4 1 0 rn:5 0 nzcv:4',
  prepare: (f) => ({ sf: f.sf!, n: zr(f.rn!), m: 0, imm: f.imm5!, useImm: 1, cond: f.cond!, nzcv: f.nzcv!, sub: f.op!, rn: f.rn!, rm: 0 }),
  exec: condCmpExec,
  disasm: condCmpText,
});

// ---------------------------------------------------------------- conditional select

interface CondSel {
  sf: number;
  d: number;
  n: number;
  m: number;
  cond: number;
  kind: number;
  rd: number;
  rn: number;
  rm: number;
}

const CSEL_NAMES = ['csel', 'csinc', 'csinv', 'csneg'];

const CSEL = insn<CondSel>({
  name: 'CSEL',
  pattern: 'sf:1 op:1 0 11010100 rm:5 cond:4 0 o2:1 rn:5 rd:5',
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), cond: f.cond!, kind: (f.op! << 1) | f.o2!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec(cpu, a) {
    const R = cpu.R;
    if (conditionHolds(a.cond, cpu.n, cpu.z, cpu.c, cpu.v)) {
      R[2 * a.d] = R[2 * a.n]!;
      R[2 * a.d + 1] = a.sf ? R[2 * a.n + 1]! : 0;
      return;
    }
    let lo = R[2 * a.m]!;
    let hi = a.sf ? R[2 * a.m + 1]! : 0;
    switch (a.kind) {
      case 1: {
        // +1
        const l = (lo >>> 0) + 1;
        hi = a.sf ? (hi + (l > 0xffffffff ? 1 : 0)) | 0 : 0;
        lo = l | 0;
        break;
      }
      case 2:
        lo = ~lo;
        hi = a.sf ? ~hi : 0;
        break;
      case 3: {
        // negate: ~x + 1
        const l = (~lo >>> 0) + 1;
        hi = a.sf ? (~hi + (l > 0xffffffff ? 1 : 0)) | 0 : 0;
        lo = l | 0;
        break;
      }
    }
    R[2 * a.d] = lo;
    R[2 * a.d + 1] = hi;
  },
  disasm(a) {
    const rd = xname(a.rd, a.sf, 'zr');
    const rn = xname(a.rn, a.sf, 'zr');
    const inv = CONDITIONS[a.cond ^ 1];
    if (a.cond < 14 && a.rn === a.rm) {
      if (a.kind === 1 && a.rn === 31) return `cset\t${rd}, ${inv}`;
      if (a.kind === 2 && a.rn === 31) return `csetm\t${rd}, ${inv}`;
      if (a.kind === 1) return `cinc\t${rd}, ${rn}, ${inv}`;
      if (a.kind === 2) return `cinv\t${rd}, ${rn}, ${inv}`;
      if (a.kind === 3) return `cneg\t${rd}, ${rn}, ${inv}`;
    }
    return `${CSEL_NAMES[a.kind]}\t${rd}, ${rn}, ${xname(a.rm, a.sf, 'zr')}, ${CONDITIONS[a.cond]}`;
  },
});

// ---------------------------------------------------------------- data processing (1 source)

interface Dp1 {
  sf: number;
  d: number;
  n: number;
  op: number;
  rd: number;
  rn: number;
}

const DP1_NAMES = ['rbit', 'rev16', 'rev32', 'rev', 'clz', 'cls'];

const DP1 = insn<Dp1>({
  name: 'DP1',
  pattern: 'sf:1 1 0 11010110 00000 0000 opcode:2 rn:5 rd:5',
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), op: f.opcode!, rd: f.rd!, rn: f.rn! }),
  exec(cpu, a) {
    const R = cpu.R;
    const lo = R[2 * a.n]!;
    const hi = R[2 * a.n + 1]!;
    let rlo: number;
    let rhi = 0;
    switch (a.op) {
      case 0: // RBIT
        if (a.sf) {
          rlo = rbit32(hi);
          rhi = rbit32(lo);
        } else rlo = rbit32(lo);
        break;
      case 1: // REV16
        rlo = rev16(lo);
        if (a.sf) rhi = rev16(hi);
        break;
      case 2: // REV32 (sf=1), REV (sf=0)
        rlo = rev32(lo);
        if (a.sf) rhi = rev32(hi);
        break;
      default: // REV (64-bit)
        rlo = rev32(hi);
        rhi = rev32(lo);
    }
    R[2 * a.d] = rlo;
    R[2 * a.d + 1] = rhi;
  },
  guard: (f) => !(f.sf === 0 && f.opcode === 3),
  disasm(a) {
    const name = a.op === 2 && !a.sf ? 'rev' : DP1_NAMES[a.op]!;
    return `${name}\t${xname(a.rd, a.sf, 'zr')}, ${xname(a.rn, a.sf, 'zr')}`;
  },
});

const CLZ_CLS = insn<Dp1>({
  name: 'CLZ_CLS',
  pattern: 'sf:1 1 0 11010110 00000 00010 op:1 rn:5 rd:5',
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), op: 4 + f.op!, rd: f.rd!, rn: f.rn! }),
  exec(cpu, a) {
    const R = cpu.R;
    let lo = R[2 * a.n]!;
    let hi = R[2 * a.n + 1]!;
    let r: number;
    if (a.op === 4) r = a.sf ? clz64(lo, hi) : Math.clz32(lo);
    else if (a.sf) {
      // CLS = CLZ(x EOR (x ASR 1)) − 1
      shift64(lo, hi, 2, 1);
      lo ^= T.lo;
      hi ^= T.hi;
      r = clz64(lo, hi) - 1;
    } else r = Math.clz32(lo ^ (lo >> 1)) - 1;
    R[2 * a.d] = r;
    R[2 * a.d + 1] = 0;
  },
  disasm: (a) => `${DP1_NAMES[a.op]}\t${xname(a.rd, a.sf, 'zr')}, ${xname(a.rn, a.sf, 'zr')}`,
});

// ---------------------------------------------------------------- data processing (2 source)

interface Dp2 {
  sf: number;
  d: number;
  n: number;
  m: number;
  op: number;
  rd: number;
  rn: number;
  rm: number;
}

const DP2_NAMES: Record<number, string> = { 2: 'udiv', 3: 'sdiv', 8: 'lsl', 9: 'lsr', 10: 'asr', 11: 'ror' };

const DP2 = insn<Dp2>({
  name: 'DP2',
  pattern: 'sf:1 0 0 11010110 rm:5 opcode:6 rn:5 rd:5',
  guard: (f) => f.opcode! in DP2_NAMES,
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), op: f.opcode!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec(cpu, a) {
    const R = cpu.R;
    if (a.op >= 8) {
      if (a.sf) {
        shift64(R[2 * a.n]!, R[2 * a.n + 1]!, a.op - 8, R[2 * a.m]! & 63);
        R[2 * a.d] = T.lo;
        R[2 * a.d + 1] = T.hi;
      } else {
        R[2 * a.d] = shift32(R[2 * a.n]!, a.op - 8, R[2 * a.m]! & 31);
        R[2 * a.d + 1] = 0;
      }
      return;
    }
    if (!a.sf) {
      const b = R[2 * a.m]!;
      const x = R[2 * a.n]!;
      R[2 * a.d] = b === 0 ? 0 : a.op === 2 ? Math.floor((x >>> 0) / (b >>> 0)) | 0 : Math.trunc(x / b) | 0;
      R[2 * a.d + 1] = 0;
      return;
    }
    const X = cpu.X;
    const b = X[a.m]!;
    if (b === 0n) X[a.d] = 0n;
    else if (a.op === 2) X[a.d] = X[a.n]! / b;
    else X[a.d] = BigInt.asIntN(64, X[a.n]!) / BigInt.asIntN(64, b);
  },
  disasm: (a) => `${DP2_NAMES[a.op]}\t${xname(a.rd, a.sf, 'zr')}, ${xname(a.rn, a.sf, 'zr')}, ${xname(a.rm, a.sf, 'zr')}`,
});

// ---------------------------------------------------------------- data processing (3 source)

interface Dp3 {
  sf: number;
  d: number;
  n: number;
  m: number;
  a: number;
  op: number;
  rd: number;
  rn: number;
  rm: number;
  ra: number;
}

/** op31:o0 → name */
const DP3_NAMES: Record<number, string> = { 0: 'madd', 1: 'msub', 2: 'smaddl', 3: 'smsubl', 4: 'smulh', 10: 'umaddl', 11: 'umsubl', 12: 'umulh' };

const DP3 = insn<Dp3>({
  name: 'DP3',
  pattern: 'sf:1 00 11011 op31:3 rm:5 o0:1 ra:5 rn:5 rd:5',
  guard: (f) => {
    const op = (f.op31! << 1) | f.o0!;
    if (!(op in DP3_NAMES)) return false;
    if (op >= 2 && f.sf === 0) return false;
    return true;
  },
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), a: zr(f.ra!), op: (f.op31! << 1) | f.o0!, rd: f.rd!, rn: f.rn!, rm: f.rm!, ra: f.ra! }),
  exec(cpu, a) {
    const R = cpu.R;
    if (!a.sf) {
      const p = Math.imul(R[2 * a.n]!, R[2 * a.m]!);
      R[2 * a.d] = a.op === 0 ? (R[2 * a.a]! + p) | 0 : (R[2 * a.a]! - p) | 0;
      R[2 * a.d + 1] = 0;
      return;
    }
    const X = cpu.X;
    switch (a.op) {
      case 0:
      case 1: {
        mul64(R[2 * a.n]!, R[2 * a.n + 1]!, R[2 * a.m]!, R[2 * a.m + 1]!);
        const pl = T.lo;
        const ph = T.hi;
        const al = R[2 * a.a]!;
        const ah = R[2 * a.a + 1]!;
        if (a.op === 0) {
          const lo = (al >>> 0) + (pl >>> 0);
          R[2 * a.d + 1] = (ah + ph + (lo > 0xffffffff ? 1 : 0)) | 0;
          R[2 * a.d] = lo | 0;
        } else {
          const lo = (al >>> 0) - (pl >>> 0);
          R[2 * a.d + 1] = (ah - ph - (lo < 0 ? 1 : 0)) | 0;
          R[2 * a.d] = lo | 0;
        }
        return;
      }
      case 2:
        X[a.d] = X[a.a]! + BigInt(R[2 * a.n]!) * BigInt(R[2 * a.m]!);
        return;
      case 3:
        X[a.d] = X[a.a]! - BigInt(R[2 * a.n]!) * BigInt(R[2 * a.m]!);
        return;
      case 4:
        X[a.d] = (BigInt.asIntN(64, X[a.n]!) * BigInt.asIntN(64, X[a.m]!)) >> 64n;
        return;
      case 10:
        X[a.d] = X[a.a]! + BigInt(R[2 * a.n]! >>> 0) * BigInt(R[2 * a.m]! >>> 0);
        return;
      case 11:
        X[a.d] = X[a.a]! - BigInt(R[2 * a.n]! >>> 0) * BigInt(R[2 * a.m]! >>> 0);
        return;
      default:
        X[a.d] = (X[a.n]! * X[a.m]!) >> 64n;
    }
  },
  disasm(a) {
    const long = a.op >= 2 && a.op !== 4 && a.op !== 12;
    const rd = xname(a.rd, a.sf, 'zr');
    const src = long ? 0 : a.sf;
    const rn = xname(a.rn, src, 'zr');
    const rm = xname(a.rm, src, 'zr');
    if (a.op === 4 || a.op === 12) return `${DP3_NAMES[a.op]}\t${rd}, ${rn}, ${rm}`;
    if (a.ra === 31) {
      const alias: Record<number, string> = { 0: 'mul', 1: 'mneg', 2: 'smull', 3: 'smnegl', 10: 'umull', 11: 'umnegl' };
      return `${alias[a.op]}\t${rd}, ${rn}, ${rm}`;
    }
    return `${DP3_NAMES[a.op]}\t${rd}, ${rn}, ${rm}, ${xname(a.ra, a.sf, 'zr')}`;
  },
});

export const DP_REG: AnyInsnDef[] = [LOG_r, ADDSUB_r, ADDSUB_ext, ADC_SBC, CCMP_r, CCMP_i, CSEL, DP1, CLZ_CLS, DP2, DP3];
