/**
 * seL4_Error (libsel4/include/sel4/errors.h): the label of the reply to a failed invocation,
 * with the detail words `setMRs_syscall_error` puts in the message registers.
 */
export const enum seL4_Error {
  NoError = 0,
  InvalidArgument = 1,
  InvalidCapability = 2,
  IllegalOperation = 3,
  RangeError = 4,
  AlignmentError = 5,
  FailedLookup = 6,
  TruncatedMessage = 7,
  DeleteFirst = 8,
  RevokeFirst = 9,
  NotEnoughMemory = 10,
}

export const SEL4_ERROR_NAMES = [
  'seL4_NoError',
  'seL4_InvalidArgument',
  'seL4_InvalidCapability',
  'seL4_IllegalOperation',
  'seL4_RangeError',
  'seL4_AlignmentError',
  'seL4_FailedLookup',
  'seL4_TruncatedMessage',
  'seL4_DeleteFirst',
  'seL4_RevokeFirst',
  'seL4_NotEnoughMemory',
] as const;

/** seL4_LookupFailureType. */
export const enum LookupFailureType {
  NoFailure = 0,
  InvalidRoot = 1,
  MissingCapability = 2,
  DepthMismatch = 3,
  GuardMismatch = 4,
}

/** Why a CSpace lookup failed (the kernel's lookup_fault_t). */
export type LookupFault =
  | { type: LookupFailureType.InvalidRoot }
  | { type: LookupFailureType.MissingCapability; bitsLeft: number }
  | { type: LookupFailureType.DepthMismatch; bitsLeft: number; bitsFound: number }
  | { type: LookupFailureType.GuardMismatch; bitsLeft: number; guardFound: bigint; bitsFound: number };

/** The words a lookup fault contributes to an error reply or a CapFault message, type first. */
export function lookupFaultWords(f: LookupFault): bigint[] {
  switch (f.type) {
    case LookupFailureType.InvalidRoot:
      return [1n];
    case LookupFailureType.MissingCapability:
      return [2n, BigInt(f.bitsLeft)];
    case LookupFailureType.DepthMismatch:
      return [3n, BigInt(f.bitsLeft), BigInt(f.bitsFound)];
    case LookupFailureType.GuardMismatch:
      return [4n, BigInt(f.bitsLeft), f.guardFound, BigInt(f.bitsFound)];
  }
}

/** A failed invocation: the error and its detail words (MR0…). */
export interface SyscallError {
  error: seL4_Error;
  words: bigint[];
}

export const syscallError = {
  invalidArgument: (index: number): SyscallError => ({ error: seL4_Error.InvalidArgument, words: [BigInt(index)] }),
  invalidCapability: (index: number): SyscallError => ({ error: seL4_Error.InvalidCapability, words: [BigInt(index)] }),
  illegalOperation: (): SyscallError => ({ error: seL4_Error.IllegalOperation, words: [] }),
  rangeError: (min: bigint | number, max: bigint | number): SyscallError => ({ error: seL4_Error.RangeError, words: [BigInt(min), BigInt(max)] }),
  alignmentError: (): SyscallError => ({ error: seL4_Error.AlignmentError, words: [] }),
  /** `source`: whether the source lookup of a two-slot operation failed (MR0). */
  failedLookup: (source: boolean, fault: LookupFault): SyscallError => ({ error: seL4_Error.FailedLookup, words: [source ? 1n : 0n, ...lookupFaultWords(fault)] }),
  truncatedMessage: (): SyscallError => ({ error: seL4_Error.TruncatedMessage, words: [] }),
  deleteFirst: (): SyscallError => ({ error: seL4_Error.DeleteFirst, words: [] }),
  revokeFirst: (): SyscallError => ({ error: seL4_Error.RevokeFirst, words: [] }),
  notEnoughMemory: (bytes: bigint | number): SyscallError => ({ error: seL4_Error.NotEnoughMemory, words: [BigInt(bytes)] }),
};

/** seL4_LookupFailureType's names (libsel4), by type. */
export const LOOKUP_FAILURE_NAMES = ['seL4_NoFailure', 'seL4_InvalidRoot', 'seL4_MissingCapability', 'seL4_DepthMismatch', 'seL4_GuardMismatch'] as const;

/** A lookup fault in the kernel's field names: "seL4_GuardMismatch (bitsLeft 58, guardFound 0x0, bitsFound 49)". */
export function describeLookupFault(f: LookupFault): string {
  switch (f.type) {
    case LookupFailureType.InvalidRoot:
      return LOOKUP_FAILURE_NAMES[f.type];
    case LookupFailureType.MissingCapability:
      return `${LOOKUP_FAILURE_NAMES[f.type]} (bitsLeft ${f.bitsLeft})`;
    case LookupFailureType.DepthMismatch:
      return `${LOOKUP_FAILURE_NAMES[f.type]} (bitsLeft ${f.bitsLeft}, bitsFound ${f.bitsFound})`;
    case LookupFailureType.GuardMismatch:
      return `${LOOKUP_FAILURE_NAMES[f.type]} (bitsLeft ${f.bitsLeft}, guardFound 0x${f.guardFound.toString(16)}, bitsFound ${f.bitsFound})`;
  }
}

/**
 * An invocation error with what failed, in the fields of seL4's current_syscall_error:
 * "seL4_InvalidArgument (invalidArgumentNumber 1)", "seL4_RangeError (rangeErrorMin 0, rangeErrorMax 1019)".
 */
export function describeSyscallError(e: SyscallError): string {
  const name = SEL4_ERROR_NAMES[e.error];
  const w = e.words;
  switch (e.error) {
    case seL4_Error.InvalidArgument:
      return `${name} (invalidArgumentNumber ${w[0]})`;
    case seL4_Error.InvalidCapability:
      return `${name} (invalidCapNumber ${w[0]})`;
    case seL4_Error.RangeError:
      return `${name} (rangeErrorMin ${w[0]}, rangeErrorMax ${w[1]})`;
    case seL4_Error.NotEnoughMemory:
      return `${name} (memoryLeft ${w[0]})`;
    case seL4_Error.FailedLookup:
      return `${name} (failedLookupWasSource ${w[0]}, ${describeLookupFault(lookupFaultFromWords(w.slice(1)))})`;
    default:
      return name;
  }
}

/** The lookup fault `lookupFaultWords` wrote. */
function lookupFaultFromWords(w: readonly bigint[]): LookupFault {
  switch (Number(w[0])) {
    case LookupFailureType.MissingCapability:
      return { type: LookupFailureType.MissingCapability, bitsLeft: Number(w[1]) };
    case LookupFailureType.DepthMismatch:
      return { type: LookupFailureType.DepthMismatch, bitsLeft: Number(w[1]), bitsFound: Number(w[2]) };
    case LookupFailureType.GuardMismatch:
      return { type: LookupFailureType.GuardMismatch, bitsLeft: Number(w[1]), guardFound: w[2]!, bitsFound: Number(w[3]) };
    default:
      return { type: LookupFailureType.InvalidRoot };
  }
}
