import type { KernelModelConfig } from './object-types.js';

/**
 * Invocation labels of an MCS kernel on AArch64. seL4 numbers its invocations in one
 * sequence: the generic ones, then the architecture's, with some present only in some
 * configurations, so a label's number depends on the configuration (spec: sel4-labels.md).
 * The sequence is written down once here, with its conditions, and numbered per config.
 */

type Condition = 'always' | 'hwDebug' | 'hyp' | 'smp' | 'noSmp';

const SEQUENCE: [string, Condition][] = [
  ['InvalidInvocation', 'always'],
  ['UntypedRetype', 'always'],
  ['TCBReadRegisters', 'always'],
  ['TCBWriteRegisters', 'always'],
  ['TCBCopyRegisters', 'always'],
  ['TCBConfigure', 'always'],
  ['TCBSetPriority', 'always'],
  ['TCBSetMCPriority', 'always'],
  ['TCBSetSchedParams', 'always'],
  ['TCBSetTimeoutEndpoint', 'always'],
  ['TCBSetIPCBuffer', 'always'],
  ['TCBSetSpace', 'always'],
  ['TCBSuspend', 'always'],
  ['TCBResume', 'always'],
  ['TCBBindNotification', 'always'],
  ['TCBUnbindNotification', 'always'],
  ['TCBSetBreakpoint', 'hwDebug'],
  ['TCBGetBreakpoint', 'hwDebug'],
  ['TCBUnsetBreakpoint', 'hwDebug'],
  ['TCBConfigureSingleStepping', 'hwDebug'],
  ['TCBSetTLSBase', 'always'],
  ['TCBSetFlags', 'always'],
  ['CNodeRevoke', 'always'],
  ['CNodeDelete', 'always'],
  ['CNodeCancelBadgedSends', 'always'],
  ['CNodeCopy', 'always'],
  ['CNodeMint', 'always'],
  ['CNodeMove', 'always'],
  ['CNodeMutate', 'always'],
  ['CNodeRotate', 'always'],
  ['IRQIssueIRQHandler', 'always'],
  ['IRQAckIRQ', 'always'],
  ['IRQSetIRQHandler', 'always'],
  ['IRQClearIRQHandler', 'always'],
  ['DomainSetSet', 'always'],
  ['DomainScheduleConfigure', 'always'],
  ['DomainScheduleSetStart', 'always'],
  ['SchedControlConfigureFlags', 'always'],
  ['SchedContextBind', 'always'],
  ['SchedContextUnbind', 'always'],
  ['SchedContextUnbindObject', 'always'],
  ['SchedContextConsumed', 'always'],
  ['SchedContextYieldTo', 'always'],
  ['ARMVSpaceClean_Data', 'always'],
  ['ARMVSpaceInvalidate_Data', 'always'],
  ['ARMVSpaceCleanInvalidate_Data', 'always'],
  ['ARMVSpaceUnify_Instruction', 'always'],
  ['ARMSMCCall', 'always'],
  ['ARMPageTableMap', 'always'],
  ['ARMPageTableUnmap', 'always'],
  ['ARMPageMap', 'always'],
  ['ARMPageUnmap', 'always'],
  ['ARMPageClean_Data', 'always'],
  ['ARMPageInvalidate_Data', 'always'],
  ['ARMPageCleanInvalidate_Data', 'always'],
  ['ARMPageUnify_Instruction', 'always'],
  ['ARMPageGetAddress', 'always'],
  ['ARMASIDControlMakePool', 'always'],
  ['ARMASIDPoolAssign', 'always'],
  ['ARMVCPUSetTCB', 'hyp'],
  ['ARMVCPUInjectIRQ', 'hyp'],
  ['ARMVCPUReadReg', 'hyp'],
  ['ARMVCPUWriteReg', 'hyp'],
  ['ARMVCPUAckVPPI', 'hyp'],
  ['ARMIRQIssueIRQHandlerTrigger', 'always'],
  ['ARMIRQIssueIRQHandlerTriggerCore', 'smp'],
  ['ARMIRQIssueSGISignal', 'noSmp'],
];

function holds(c: Condition, config: KernelModelConfig): boolean {
  switch (c) {
    case 'always':
      return true;
    case 'hwDebug':
      return config.hardwareDebugApi;
    case 'hyp':
      return config.hypervisor;
    case 'smp':
      return config.smp;
    case 'noSmp':
      return !config.smp;
  }
}

/** Label numbers by name, and names by number, for one configuration. */
export interface InvocationLabels {
  readonly byName: ReadonlyMap<string, number>;
  readonly byNumber: readonly string[];
  /** The number of `name`; throws for a label this configuration does not have. */
  of(name: string): number;
}

export function invocationLabels(config: KernelModelConfig): InvocationLabels {
  const byNumber = SEQUENCE.filter(([, c]) => holds(c, config)).map(([name]) => name);
  const byName = new Map(byNumber.map((name, i) => [name, i]));
  return {
    byName,
    byNumber,
    of(name) {
      const n = byName.get(name);
      if (n === undefined) throw new Error(`no invocation ${name} in this kernel configuration`);
      return n;
    },
  };
}
