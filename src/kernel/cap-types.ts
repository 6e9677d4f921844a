/**
 * Capability type tags on AArch64: what seL4_DebugCapIdentify returns (spec: sel4-abi.md §4.2).
 * Generic caps have even tags, architecture caps odd ones.
 */
export const enum CapType {
  Null = 0,
  Frame = 1,
  Untyped = 2,
  PageTable = 3,
  Endpoint = 4,
  Notification = 6,
  Reply = 8,
  VSpace = 9,
  CNode = 10,
  AsidControl = 11,
  Thread = 12,
  AsidPool = 13,
  IrqControl = 14,
  Vcpu = 15,
  IrqHandler = 16,
  Zombie = 18,
  Domain = 20,
  SchedContext = 22,
  SchedControl = 24,
  Smc = 25,
  SgiSignal = 27,
}

/** seL4_CapRights: bit 0 Write, bit 1 Read, bit 2 Grant, bit 3 GrantReply. */
export interface CapRights {
  write: boolean;
  read: boolean;
  grant: boolean;
  grantReply: boolean;
}

export function capRightsFromWord(word: bigint): CapRights {
  return { write: (word & 1n) !== 0n, read: (word & 2n) !== 0n, grant: (word & 4n) !== 0n, grantReply: (word & 8n) !== 0n };
}

export function capRightsToWord(r: CapRights): bigint {
  return (r.write ? 1n : 0n) | (r.read ? 2n : 0n) | (r.grant ? 4n : 0n) | (r.grantReply ? 8n : 0n);
}

/**
 * The CNode cap data word of Mint, TCB_Configure and TCB_SetSpace: guard in bits 63:6,
 * guard size in bits 5:0 (seL4_CNode_CapData).
 */
export function cnodeCapData(word: bigint): { guard: bigint; guardSize: number } {
  return { guard: word >> 6n, guardSize: Number(word & 0x3fn) };
}
