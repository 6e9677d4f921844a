import type { Cap } from '../cap.js';
import type { Slot } from '../cspace.js';
import type { SyscallError } from '../errors.js';
import type { InvocationLabels } from '../labels.js';
import type { KernelModelConfig } from '../object-types.js';
import type { EndpointObject } from '../objects.js';
import { refuse, type Refusal, type UserErrorText } from '../user-error.js';

/**
 * What every invocation decoder gets: the message (label and words MR0…), the extra caps
 * the message carried (already looked up), and the kernel around it. Decoding checks
 * everything and changes nothing; the `invoke` it returns cannot fail (seL4's split).
 */
export interface Invocation {
  label: number;
  /** MR0… as the message's length says. */
  args: bigint[];
  /** The caps named by the message's extra-cap cptrs, with their slots (and the cptrs, which some userError lines print). */
  extraCaps: { cap: Cap; slot: Slot; cptr?: bigint }[];
}

export interface KernelEnv {
  config: KernelModelConfig;
  labels: InvocationLabels;
  /** Physical memory as the kernel touches it. */
  memory: { zero(pa: number, length: number): void };
  /** Told of every object Untyped_Retype creates (the kernel keeps its list of TCBs). */
  created?(cap: Cap): void;
}

/**
 * A decoded invocation: its effect (returning the reply's words), or the error to reply with
 * and the lines a debug kernel prints about it (seL4's userError calls on that path, in order;
 * none where seL4 only sets current_syscall_error).
 */
export type Decoded = { ok: true; invoke: () => bigint[] } | Refusal;

/** The invocation is refused with `error`; a debug kernel prints `userErrors` (seL4's, none if seL4 prints none). */
export const fail = (error: SyscallError, ...userErrors: UserErrorText[]): Decoded => refuse(error, ...userErrors);

/** Deleting caps: what CNode_Delete, Revoke and CancelBadgedSends and IRQHandler need (delete.ts). */
export interface Deletion {
  /** cteDelete: empty the slot, finalising the object if this was its last cap. */
  deleteCap(slot: Slot): void;
  /** cteRevoke: delete every cap derived from the slot's cap. */
  revoke(slot: Slot): void;
  /** cteDeleteOne: delete a cap to an object that holds no caps. */
  deleteOne(slot: Slot): void;
  cancelBadgedSends(ep: EndpointObject, badge: bigint): void;
}
