/**
 * The instruction syndrome of a data abort: ESR_ELx.ISS[24:14] = ISV, SAS, SSE, SRT, SF, AR
 * (ARM DDI 0487, D17.2.40, "ISS encoding for an exception from a Data Abort").
 *
 * The architecture gives it only for a stage-2 fault (not a stage-1 one, not a fault on a
 * stage-1 table walk) of an instruction that moves one general-purpose register with no
 * writeback: LDR/STR and their byte, halfword and sign-extending forms (unsigned offset,
 * unscaled, register offset, unprivileged, literal) and LDAR/STLR/LDLAR/STLLR (with AR). Pairs,
 * exclusives, atomics, writeback forms and every SIMD&FP load or store report ISV = 0. These are
 * the rules QEMU applies (the `iss_valid` of each load/store in target/arm/tcg/translate-a64.c),
 * and real seL4 in QEMU shows them: `ldr x10, [x9]` on an unmapped page gives ESR 0x93ca8006.
 *
 * It is computed from the instruction word when the fault is taken, so the hot paths of the
 * interpreter and of compiled code carry nothing for it. LDAPR and LDAPUR (FEAT_LRCPC, which
 * QEMU reports with AR) are not here: the Cortex-A53 model treats them as undefined.
 */

const ISV = 1 << 24;
const SSE = 1 << 21;
const SF = 1 << 15;
const AR = 1 << 14;

function syndrome(sizeLog2: number, signed: boolean, rt: number, sixtyFour: boolean, acquireRelease: boolean): number {
  return ISV | (sizeLog2 << 22) | (signed ? SSE : 0) | (rt << 16) | (sixtyFour ? SF : 0) | (acquireRelease ? AR : 0);
}

/** ISS[24:14] for a data abort of the instruction `insn`; 0 (ISV clear) where there is none. */
export function dataAbortInstructionSyndrome(insn: number): number {
  const rt = insn & 31;
  const size = insn >>> 30;
  const vector = (insn >>> 26) & 1;
  if (vector) return 0;
  // Load/store register (all forms): size 111 V 0x opc ...
  if (((insn >>> 27) & 7) === 7 && ((insn >>> 25) & 1) === 0) {
    const opc = (insn >>> 22) & 3;
    if (((insn >>> 24) & 1) === 0) {
      const form = (insn >>> 10) & 3;
      if (((insn >>> 21) & 1) === 0) {
        // 00 unscaled (LDUR/STUR), 10 unprivileged (LDTR/STTR): no writeback; 01/11 write back.
        if (form === 1 || form === 3) return 0;
      } else if (form !== 2) return 0; // atomics and LDRA; 10 is the register-offset form
    }
    if (opc === 0 || opc === 1) return syndrome(size, false, rt, size === 3, false);
    // opc 1x: sign-extending loads, to 64 bits (opc 10) or 32 (opc 11); PRFM never faults.
    return syndrome(size, true, rt, opc === 2, false);
  }
  // Load register (literal): opc 00 LDR Wt, 01 LDR Xt, 10 LDRSW; 11 is PRFM.
  if (((insn >>> 27) & 7) === 3 && ((insn >>> 24) & 3) === 0) {
    const opc = size;
    if (opc === 0) return syndrome(2, false, rt, false, false);
    if (opc === 1) return syndrome(3, false, rt, true, false);
    return syndrome(2, true, rt, true, false);
  }
  // Load/store ordered (LDAR, STLR, LDLAR, STLLR): 001000, o2 = 1, o1 = 0; exclusives and CAS
  // (o2 = 0, or o1 = 1) have no syndrome.
  if (((insn >>> 24) & 0x3f) === 0x08 && ((insn >>> 23) & 1) === 1 && ((insn >>> 21) & 1) === 0) {
    return syndrome(size, false, rt, size === 3, true);
  }
  return 0;
}
