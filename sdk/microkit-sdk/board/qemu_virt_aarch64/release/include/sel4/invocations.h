/*
 * sel4ts SDK: kernel-object invocations (methods called with seL4_Call on a cap).
 *
 * Each stub follows the marshalling table of sel4-labels.md: label, extra-cap count and
 * length in the MessageInfo, extra caps in caps_or_badges[], arguments in MR0.. (MR0..3
 * in x2..x5, the rest in the IPC buffer). Unused argument registers are sent as 0. The
 * kernel's reply label is the seL4_Error; on an error the reply's MR0..MR3 (the error
 * details, sel4-abi.md §2.5) are also stored into the IPC buffer for seL4_GetMR.
 *
 * Only the methods a Microkit PD or the monitor needs are provided (see sdk/README.md).
 */
#pragma once

#include <sel4/types.h>
#include <sel4/errors.h>
#include <sel4/invocation.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>

typedef struct seL4_SchedContext_Consumed {
    int error;
    seL4_Time consumed;
} seL4_SchedContext_Consumed_t;

typedef struct seL4_SchedContext_YieldTo {
    int error;
    seL4_Time consumed;
} seL4_SchedContext_YieldTo_t;

typedef struct seL4_ARM_Page_GetAddress {
    int error;
    seL4_Word paddr;
} seL4_ARM_Page_GetAddress_t;

typedef struct seL4_ARM_VCPU_ReadRegs {
    int error;
    seL4_Word value;
} seL4_ARM_VCPU_ReadRegs_t;

/*
 * Invoke `service` with the given label, extra-cap count and length; MR0..MR3 travel in
 * registers through *mr0..*mr3 (in: arguments, out: reply words).
 */
static inline seL4_Error sel4ts_invoke(seL4_CPtr service, seL4_Word label, seL4_Word extra_caps, seL4_Word length,
                                       seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word info = seL4_MessageInfo_new(label, 0, extra_caps, length).words[0];
    seL4_Error err;
    sel4ts_svc_call((seL4_Word)seL4_SysCall, service, 0, &info, mr0, mr1, mr2, mr3);
    err = (seL4_Error)((info >> SEL4TS_MI_LABEL_SHIFT) & SEL4TS_MI_LABEL_MASK);
    if (err != seL4_NoError) {
        sel4ts_store_mrs(*mr0, *mr1, *mr2, *mr3);
    }
    return err;
}

/* An invocation with no arguments and no results. */
static inline seL4_Error sel4ts_invoke0(seL4_CPtr service, seL4_Word label)
{
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(service, label, 0, 0, &mr0, &mr1, &mr2, &mr3);
}

/* An invocation with one extra cap and no arguments. */
static inline seL4_Error sel4ts_invoke_cap(seL4_CPtr service, seL4_Word label, seL4_CPtr cap)
{
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    seL4_SetCap(0, cap);
    return sel4ts_invoke(service, label, 1, 0, &mr0, &mr1, &mr2, &mr3);
}

/* An invocation with two word arguments (cache maintenance ranges). */
static inline seL4_Error sel4ts_invoke2(seL4_CPtr service, seL4_Word label, seL4_Word a0, seL4_Word a1)
{
    seL4_Word mr0 = a0, mr1 = a1, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(service, label, 0, 2, &mr0, &mr1, &mr2, &mr3);
}

/* ---- IRQ handlers -------------------------------------------------------------------------- */

/* Let the interrupt fire again (the kernel masks the line after each delivery). */
static inline seL4_Error seL4_IRQHandler_Ack(seL4_IRQHandler _service)
{
    return sel4ts_invoke0(_service, IRQAckIRQ);
}

static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_IRQHandler _service, seL4_CPtr notification)
{
    return sel4ts_invoke_cap(_service, IRQSetIRQHandler, notification);
}

static inline seL4_Error seL4_IRQHandler_Clear(seL4_IRQHandler _service)
{
    return sel4ts_invoke0(_service, IRQClearIRQHandler);
}

/* ---- TCBs ---------------------------------------------------------------------------------------- */

/*
 * Write the first `count` registers of *regs (seL4_UserContext order) into the thread;
 * resume it if resume_target. All 36 registers are marshalled; the kernel uses `count`.
 */
static inline seL4_Error seL4_TCB_WriteRegisters(seL4_TCB _service, seL4_Bool resume_target, seL4_Uint8 arch_flags,
                                                 seL4_Word count, seL4_UserContext *regs)
{
    const seL4_Word *words = (const seL4_Word *)regs;
    seL4_Word mr0 = ((seL4_Word)resume_target & 0x1) | (((seL4_Word)arch_flags & 0xff) << 8);
    seL4_Word mr1 = count;
    seL4_Word mr2 = regs->pc;
    seL4_Word mr3 = regs->sp;
    for (int i = 2; i < 36; i++) {
        seL4_SetMR(i + 2, words[i]);
    }
    return sel4ts_invoke(_service, TCBWriteRegisters, 0, 38, &mr0, &mr1, &mr2, &mr3);
}

/*
 * Read the first `count` registers of the thread into *regs; suspend it first if
 * suspend_source. The reply carries them from MR0 on in seL4_UserContext order.
 */
static inline seL4_Error seL4_TCB_ReadRegisters(seL4_TCB _service, seL4_Bool suspend_source, seL4_Uint8 arch_flags,
                                                seL4_Word count, seL4_UserContext *regs)
{
    seL4_Word *words = (seL4_Word *)regs;
    seL4_Word mr0 = ((seL4_Word)suspend_source & 0x1) | (((seL4_Word)arch_flags & 0xff) << 8);
    seL4_Word mr1 = count;
    seL4_Word mr2 = 0;
    seL4_Word mr3 = 0;
    seL4_Error err = sel4ts_invoke(_service, TCBReadRegisters, 0, 2, &mr0, &mr1, &mr2, &mr3);
    words[0] = mr0;
    words[1] = mr1;
    words[2] = mr2;
    words[3] = mr3;
    for (int i = 4; i < 36; i++) {
        words[i] = seL4_GetMR(i);
    }
    return err;
}

static inline seL4_Error seL4_TCB_Suspend(seL4_TCB _service)
{
    return sel4ts_invoke0(_service, TCBSuspend);
}

static inline seL4_Error seL4_TCB_Resume(seL4_TCB _service)
{
    return sel4ts_invoke0(_service, TCBResume);
}

static inline seL4_Error seL4_TCB_SetPriority(seL4_TCB _service, seL4_TCB authority, seL4_Word priority)
{
    seL4_Word mr0 = priority, mr1 = 0, mr2 = 0, mr3 = 0;
    seL4_SetCap(0, authority);
    return sel4ts_invoke(_service, TCBSetPriority, 1, 1, &mr0, &mr1, &mr2, &mr3);
}

static inline seL4_Error seL4_TCB_SetMCPriority(seL4_TCB _service, seL4_TCB authority, seL4_Word mcp)
{
    seL4_Word mr0 = mcp, mr1 = 0, mr2 = 0, mr3 = 0;
    seL4_SetCap(0, authority);
    return sel4ts_invoke(_service, TCBSetMCPriority, 1, 1, &mr0, &mr1, &mr2, &mr3);
}

static inline seL4_Error seL4_TCB_BindNotification(seL4_TCB _service, seL4_CPtr notification)
{
    return sel4ts_invoke_cap(_service, TCBBindNotification, notification);
}

static inline seL4_Error seL4_TCB_UnbindNotification(seL4_TCB _service)
{
    return sel4ts_invoke0(_service, TCBUnbindNotification);
}

static inline seL4_Error seL4_TCB_SetTLSBase(seL4_TCB _service, seL4_Word tls_base)
{
    seL4_Word mr0 = tls_base, mr1 = 0, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(_service, TCBSetTLSBase, 0, 1, &mr0, &mr1, &mr2, &mr3);
}

/* ---- Scheduling contexts ----------------------------------------------------------------------- */

/* Bind the scheduling context to a TCB or a notification (`cap`). */
static inline seL4_Error seL4_SchedContext_Bind(seL4_SchedContext _service, seL4_CPtr cap)
{
    return sel4ts_invoke_cap(_service, SchedContextBind, cap);
}

static inline seL4_Error seL4_SchedContext_Unbind(seL4_SchedContext _service)
{
    return sel4ts_invoke0(_service, SchedContextUnbind);
}

static inline seL4_Error seL4_SchedContext_UnbindObject(seL4_SchedContext _service, seL4_CPtr cap)
{
    return sel4ts_invoke_cap(_service, SchedContextUnbindObject, cap);
}

/* Time consumed since the last query, in microseconds. */
static inline seL4_SchedContext_Consumed_t seL4_SchedContext_Consumed(seL4_SchedContext _service)
{
    seL4_SchedContext_Consumed_t result;
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    result.error = sel4ts_invoke(_service, SchedContextConsumed, 0, 0, &mr0, &mr1, &mr2, &mr3);
    result.consumed = mr0;
    return result;
}

static inline seL4_SchedContext_YieldTo_t seL4_SchedContext_YieldTo(seL4_SchedContext _service)
{
    seL4_SchedContext_YieldTo_t result;
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    result.error = sel4ts_invoke(_service, SchedContextYieldTo, 0, 0, &mr0, &mr1, &mr2, &mr3);
    result.consumed = mr0;
    return result;
}

/* ---- VSpace and page cache maintenance ----------------------------------------------------------- */

static inline seL4_Error seL4_ARM_VSpace_Clean_Data(seL4_ARM_VSpace _service, seL4_Word start, seL4_Word end)
{
    return sel4ts_invoke2(_service, ARMVSpaceClean_Data, start, end);
}

static inline seL4_Error seL4_ARM_VSpace_Invalidate_Data(seL4_ARM_VSpace _service, seL4_Word start, seL4_Word end)
{
    return sel4ts_invoke2(_service, ARMVSpaceInvalidate_Data, start, end);
}

static inline seL4_Error seL4_ARM_VSpace_CleanInvalidate_Data(seL4_ARM_VSpace _service, seL4_Word start,
                                                              seL4_Word end)
{
    return sel4ts_invoke2(_service, ARMVSpaceCleanInvalidate_Data, start, end);
}

static inline seL4_Error seL4_ARM_VSpace_Unify_Instruction(seL4_ARM_VSpace _service, seL4_Word start, seL4_Word end)
{
    return sel4ts_invoke2(_service, ARMVSpaceUnify_Instruction, start, end);
}

static inline seL4_ARM_Page_GetAddress_t seL4_ARM_Page_GetAddress(seL4_ARM_Page _service)
{
    seL4_ARM_Page_GetAddress_t result;
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    result.error = sel4ts_invoke(_service, ARMPageGetAddress, 0, 0, &mr0, &mr1, &mr2, &mr3);
    result.paddr = mr0;
    return result;
}

/* ---- vCPUs (hypervisor kernel) ------------------------------------------------------------------ */

#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
static inline seL4_Error seL4_ARM_VCPU_SetTCB(seL4_ARM_VCPU _service, seL4_TCB tcb)
{
    return sel4ts_invoke_cap(_service, ARMVCPUSetTCB, tcb);
}

static inline seL4_Error seL4_ARM_VCPU_InjectIRQ(seL4_ARM_VCPU _service, seL4_Uint16 virq, seL4_Uint8 priority,
                                                 seL4_Uint8 group, seL4_Uint8 index)
{
    seL4_Word mr0 = ((seL4_Word)virq & 0xffff) | (((seL4_Word)priority & 0xff) << 16)
                    | (((seL4_Word)group & 0xff) << 24) | (((seL4_Word)index & 0xff) << 32);
    seL4_Word mr1 = 0, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(_service, ARMVCPUInjectIRQ, 0, 1, &mr0, &mr1, &mr2, &mr3);
}

static inline seL4_ARM_VCPU_ReadRegs_t seL4_ARM_VCPU_ReadRegs(seL4_ARM_VCPU _service, seL4_Word field)
{
    seL4_ARM_VCPU_ReadRegs_t result;
    seL4_Word mr0 = field, mr1 = 0, mr2 = 0, mr3 = 0;
    result.error = sel4ts_invoke(_service, ARMVCPUReadReg, 0, 1, &mr0, &mr1, &mr2, &mr3);
    result.value = mr0;
    return result;
}

static inline seL4_Error seL4_ARM_VCPU_WriteRegs(seL4_ARM_VCPU _service, seL4_Word field, seL4_Word value)
{
    seL4_Word mr0 = field, mr1 = value, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(_service, ARMVCPUWriteReg, 0, 2, &mr0, &mr1, &mr2, &mr3);
}

static inline seL4_Error seL4_ARM_VCPU_AckVPPI(seL4_ARM_VCPU _service, seL4_Word irq)
{
    seL4_Word mr0 = irq, mr1 = 0, mr2 = 0, mr3 = 0;
    return sel4ts_invoke(_service, ARMVCPUAckVPPI, 0, 1, &mr0, &mr1, &mr2, &mr3);
}
#endif

/* ---- SMC forwarding ------------------------------------------------------------------------------ */

#if defined(CONFIG_ALLOW_SMC_CALLS)
/* Ask the kernel to issue an SMC with x0..x7 = *smc_args; x0..x7 after it land in *smc_response. */
static inline seL4_Error seL4_ARM_SMC_Call(seL4_ARM_SMC _service, seL4_ARM_SMCContext *smc_args,
                                           seL4_ARM_SMCContext *smc_response)
{
    seL4_Word mr0 = smc_args->x0, mr1 = smc_args->x1, mr2 = smc_args->x2, mr3 = smc_args->x3;
    seL4_Error err;
    seL4_SetMR(4, smc_args->x4);
    seL4_SetMR(5, smc_args->x5);
    seL4_SetMR(6, smc_args->x6);
    seL4_SetMR(7, smc_args->x7);
    err = sel4ts_invoke(_service, ARMSMCCall, 0, 8, &mr0, &mr1, &mr2, &mr3);
    smc_response->x0 = mr0;
    smc_response->x1 = mr1;
    smc_response->x2 = mr2;
    smc_response->x3 = mr3;
    smc_response->x4 = seL4_GetMR(4);
    smc_response->x5 = seL4_GetMR(5);
    smc_response->x6 = seL4_GetMR(6);
    smc_response->x7 = seL4_GetMR(7);
    return err;
}
#endif
