/**
 * System registers EL0 may reach with MRS/MSR. The encoding is `op0:op1:CRn:CRm:op2`
 * (bits [20:5] of the instruction), as the ARM ARM's tables give it.
 */

function sysregEncoding(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

export const SYSREG = {
  NZCV: sysregEncoding(3, 3, 4, 2, 0),
  DAIF: sysregEncoding(3, 3, 4, 2, 1),
  FPCR: sysregEncoding(3, 3, 4, 4, 0),
  FPSR: sysregEncoding(3, 3, 4, 4, 1),
  CTR_EL0: sysregEncoding(3, 3, 0, 0, 1),
  DCZID_EL0: sysregEncoding(3, 3, 0, 0, 7),
  TPIDR_EL0: sysregEncoding(3, 3, 13, 0, 2),
  TPIDRRO_EL0: sysregEncoding(3, 3, 13, 0, 3),
  CNTFRQ_EL0: sysregEncoding(3, 3, 14, 0, 0),
  CNTPCT_EL0: sysregEncoding(3, 3, 14, 0, 1),
  CNTVCT_EL0: sysregEncoding(3, 3, 14, 0, 2),
  PMUSERENR_EL0: sysregEncoding(3, 3, 9, 14, 0),
  CNTP_TVAL_EL0: sysregEncoding(3, 3, 14, 2, 0),
  CNTP_CTL_EL0: sysregEncoding(3, 3, 14, 2, 1),
  CNTP_CVAL_EL0: sysregEncoding(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: sysregEncoding(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: sysregEncoding(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: sysregEncoding(3, 3, 14, 3, 2),
} as const;

export const SYSREG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SYSREG).map(([k, v]) => [v, k.toLowerCase()]));

/**
 * The part of the system-register space that belongs to the machine rather than the core:
 * the generic timer. Values are 64-bit, passed as unsigned halves.
 */
export interface SystemRegisters {
  /** Returns the value, or undefined when EL0 may not read it (the access is UNDEFINED). */
  read(encoding: number): { lo: number; hi: number } | undefined;
  /** Returns false when EL0 may not write it. */
  write(encoding: number, lo: number, hi: number): boolean;
}
