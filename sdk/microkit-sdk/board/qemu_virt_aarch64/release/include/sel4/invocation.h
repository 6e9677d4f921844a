/*
 * sel4ts SDK: invocation labels (the MessageInfo label that selects a kernel method).
 *
 * seL4 numbers its methods consecutively with the configuration-dependent ones left
 * out, so the numbers shift between configurations (sel4-labels.md):
 *
 *   - CONFIG_HARDWARE_DEBUG_API (Microkit debug) inserts the four TCB breakpoint
 *     methods after TCBUnbindNotification: every label from TCBSetTLSBase on is +4.
 *   - CONFIG_ARM_HYPERVISOR_SUPPORT (both Microkit configurations here) inserts the
 *     five vCPU methods before ARMIRQIssueIRQHandlerTrigger.
 *   - Single core: ARMIRQIssueSGISignal, not ARMIRQIssueIRQHandlerTriggerCore.
 *
 * Writing the enumeration in that order with the same conditions reproduces the
 * generated numbers; the assertions at the end pin the values of both configurations
 * against the table.
 */
#pragma once

#include <sel4/config.h>

enum invocation_label {
    InvalidInvocation = 0,
    UntypedRetype,
    TCBReadRegisters,
    TCBWriteRegisters,
    TCBCopyRegisters,
    TCBConfigure,
    TCBSetPriority,
    TCBSetMCPriority,
    TCBSetSchedParams,
    TCBSetTimeoutEndpoint,
    TCBSetIPCBuffer,
    TCBSetSpace,
    TCBSuspend,
    TCBResume,
    TCBBindNotification,
    TCBUnbindNotification,
#if defined(CONFIG_HARDWARE_DEBUG_API)
    TCBSetBreakpoint,
    TCBGetBreakpoint,
    TCBUnsetBreakpoint,
    TCBConfigureSingleStepping,
#endif
    TCBSetTLSBase,
    TCBSetFlags,
    CNodeRevoke,
    CNodeDelete,
    CNodeCancelBadgedSends,
    CNodeCopy,
    CNodeMint,
    CNodeMove,
    CNodeMutate,
    CNodeRotate,
    IRQIssueIRQHandler,
    IRQAckIRQ,
    IRQSetIRQHandler,
    IRQClearIRQHandler,
    DomainSetSet,
    DomainScheduleConfigure,
    DomainScheduleSetStart,
    SchedControlConfigureFlags,
    SchedContextBind,
    SchedContextUnbind,
    SchedContextUnbindObject,
    SchedContextConsumed,
    SchedContextYieldTo,
    ARMVSpaceClean_Data,
    ARMVSpaceInvalidate_Data,
    ARMVSpaceCleanInvalidate_Data,
    ARMVSpaceUnify_Instruction,
    ARMSMCCall,
    ARMPageTableMap,
    ARMPageTableUnmap,
    ARMPageMap,
    ARMPageUnmap,
    ARMPageClean_Data,
    ARMPageInvalidate_Data,
    ARMPageCleanInvalidate_Data,
    ARMPageUnify_Instruction,
    ARMPageGetAddress,
    ARMASIDControlMakePool,
    ARMASIDPoolAssign,
#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
    ARMVCPUSetTCB,
    ARMVCPUInjectIRQ,
    ARMVCPUReadReg,
    ARMVCPUWriteReg,
    ARMVCPUAckVPPI,
#endif
    ARMIRQIssueIRQHandlerTrigger,
    ARMIRQIssueSGISignal,
    nInvocationLabels
};

/* Values from sel4-labels.md, columns "MCS + hyp + HW-debug (Microkit debug)" and
 * "MCS + hyp (Microkit release)". */
#if defined(CONFIG_HARDWARE_DEBUG_API)
_Static_assert(TCBWriteRegisters == 3 && TCBSuspend == 12 && TCBResume == 13, "debug TCB labels");
_Static_assert(TCBSetTLSBase == 20 && CNodeRotate == 29, "debug labels after the breakpoint methods");
_Static_assert(IRQAckIRQ == 31 && SchedContextBind == 38 && SchedContextConsumed == 41, "debug labels");
_Static_assert(ARMVSpaceClean_Data == 43 && ARMSMCCall == 47 && ARMASIDPoolAssign == 58, "debug ARM labels");
_Static_assert(ARMVCPUSetTCB == 59 && ARMVCPUAckVPPI == 63 && ARMIRQIssueSGISignal == 65, "debug vCPU/IRQ labels");
#else
_Static_assert(TCBWriteRegisters == 3 && TCBSuspend == 12 && TCBResume == 13, "release TCB labels");
_Static_assert(TCBSetTLSBase == 16 && CNodeRotate == 25, "release CNode labels");
_Static_assert(IRQAckIRQ == 27 && SchedContextBind == 34 && SchedContextConsumed == 37, "release labels");
_Static_assert(ARMVSpaceClean_Data == 39 && ARMSMCCall == 43 && ARMASIDPoolAssign == 54, "release ARM labels");
_Static_assert(ARMVCPUSetTCB == 55 && ARMVCPUAckVPPI == 59 && ARMIRQIssueSGISignal == 61, "release vCPU/IRQ labels");
#endif
