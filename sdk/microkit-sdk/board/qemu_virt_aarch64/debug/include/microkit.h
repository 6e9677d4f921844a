/*
 * sel4ts SDK: the Microkit 2.3 programming interface for AArch64 protection domains.
 *
 * A PD provides init() and notified(), and protected() / fault() if it serves protected
 * procedure calls or has children; libmicrokit.a provides main(), the event loop and the
 * debug output (src/main.c, src/dbg.c). Everything else here is inline.
 *
 * The cap slots below are where the sel4ts tool places each capability in a PD's
 * CSpace (microkit.md §1.6), and the badges are those the tool mints (§1.8).
 * Keep both in sync with the tool's CSpace builder.
 */
#pragma once

#include <sel4/sel4.h>

typedef unsigned int microkit_channel;
typedef unsigned int microkit_child;
typedef unsigned int microkit_ioport; /* x86 only */
typedef seL4_MessageInfo_t microkit_msginfo;

/* ---- CSpace layout (slots of the PD's Microkit CNode; small cptrs name them directly) ---- */

#ifndef INPUT_CAP
#define INPUT_CAP 1                       /* own endpoint (PPC target / parent) or own notification */
#endif
#ifndef REPLY_CAP
#define REPLY_CAP 4                       /* own Reply object */
#endif
#define MONITOR_EP 5                      /* passive PDs: the monitor's endpoint, badge = PD index + 1 */
#define TCB_CAP 6                         /* benchmark configuration only: own TCB */
#define ARM_SMC_CAP 7                     /* PDs with smc="true" */
#define BASE_OUTPUT_NOTIFICATION_CAP 10   /* + channel id: the peer's notification */
#define BASE_ENDPOINT_CAP 74              /* + channel id: the peer's endpoint (pp="true") */
#define BASE_IRQ_CAP 138                  /* + channel id: IRQ handler */
#define BASE_TCB_CAP 202                  /* + child id: child PD's TCB */
#define BASE_VM_TCB_CAP 266               /* + vCPU id: VM TCB */
#define BASE_VCPU_CAP 330                 /* + vCPU id: vCPU object */
#define BASE_IOPORT_CAP 394               /* x86 only */
#define BASE_USER_CAPS 458                /* unused: user caps now live in the root CNode */

/* User caps from <cspace> live in the root CNode: slot s is cptr s << 58 (see below). */
#define PD_ROOT_CAP_BITS 6
#define PD_ROOT_CAP_SIZE (1ULL << PD_ROOT_CAP_BITS)
#define MICROKIT_MAX_USER_CAPS 128

#define MICROKIT_MAX_CHANNELS 62
#define MICROKIT_MAX_CHANNEL_ID (MICROKIT_MAX_CHANNELS - 1)
#define MICROKIT_MAX_IOPORT_ID MICROKIT_MAX_CHANNELS
#define MICROKIT_PD_NAME_LENGTH 64

/* ---- Badges the event loop decodes ---------------------------------------------------------- */

#ifndef PPC_BADGE
#define PPC_BADGE (1ULL << 63)            /* a protected procedure call; low bits: channel */
#endif
#ifndef FAULT_BADGE
#define FAULT_BADGE (1ULL << 62)          /* a child / vCPU fault; low bits: child or vCPU id */
#endif
#ifndef CHANNEL_MASK
#define CHANNEL_MASK 0x3f
#endif
#ifndef PD_MASK
#define PD_MASK 0xff
#endif

/* ---- Entry points the PD provides ------------------------------------------------------------ */

void init(void);
void notified(microkit_channel ch);
/* Weak defaults in libmicrokit report the missing entry point and crash the PD. */
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* ---- Globals of libmicrokit (src/main.c); the sel4ts tool patches the first six ------------- */

extern char microkit_name[MICROKIT_PD_NAME_LENGTH]; /* PD name, NUL-padded (not terminated at 64) */
extern _Bool microkit_passive;                      /* 1 if the PD is passive */
extern seL4_Word microkit_irqs;                     /* bit id: <irq id=…> */
extern seL4_Word microkit_notifications;            /* bit id: channel ends with notify="true" */
extern seL4_Word microkit_pps;                      /* bit id: channel ends with pp="true" */
extern seL4_Word microkit_ioports;                  /* x86 only; always 0 here */

/* One deferred send, merged with the next receive of the event loop. */
extern seL4_Bool microkit_have_signal;
extern seL4_CPtr microkit_signal_cap;
extern seL4_MessageInfo_t microkit_signal_msg;

/* ---- Debug output (nothing is printed in the release configuration) ------------------------ */

void microkit_dbg_putc(int c);
void microkit_dbg_puts(const char *s);
/* Decimal. */
void microkit_dbg_put8(seL4_Uint8 x);
void microkit_dbg_put32(seL4_Uint32 x);

/*
 * Stop the PD with a VM fault whose address is `err`, so the fault report (monitor or
 * parent) shows the error code as the fault address. The store is written in assembly
 * so that no compiler turns it into a trap instruction.
 */
static inline void microkit_internal_crash(seL4_Error err)
{
    seL4_Word addr = (seL4_Word)err;
    __asm__ volatile("str wzr, [%0]" : : "r"(addr) : "memory");
}

/* The PD's name; microkit_name has no terminator when the name fills all 64 bytes. */
static inline void microkit_internal_put_name(void)
{
    for (unsigned i = 0; i < MICROKIT_PD_NAME_LENGTH && microkit_name[i] != '\0'; i++) {
        microkit_dbg_putc(microkit_name[i]);
    }
}

/* Print "<name> <what>: invalid channel given '<ch>'". */
static inline void microkit_internal_bad_channel(const char *what, microkit_channel ch)
{
    microkit_internal_put_name();
    microkit_dbg_puts(" ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(": invalid channel given '");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("'\n");
}

static inline seL4_Bool microkit_internal_channel_ok(seL4_Word mask, microkit_channel ch)
{
    return ch <= MICROKIT_MAX_CHANNEL_ID && (mask & (1ULL << ch)) != 0;
}

/* ---- Channels ------------------------------------------------------------------------------- */

/* Signal the PD at the other end of channel ch. */
static inline void microkit_notify(microkit_channel ch)
{
    if (!microkit_internal_channel_ok(microkit_notifications, ch)) {
        microkit_internal_bad_channel("microkit_notify", ch);
        return;
    }
    seL4_Signal(BASE_OUTPUT_NOTIFICATION_CAP + ch);
}

/* Acknowledge the interrupt delivered on channel ch. */
static inline void microkit_irq_ack(microkit_channel ch)
{
    if (!microkit_internal_channel_ok(microkit_irqs, ch)) {
        microkit_internal_bad_channel("microkit_irq_ack", ch);
        return;
    }
    seL4_IRQHandler_Ack(BASE_IRQ_CAP + ch);
}

/* Protected procedure call over channel ch; the reply's words are in the MRs. */
static inline microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo)
{
    if (!microkit_internal_channel_ok(microkit_pps, ch)) {
        microkit_internal_bad_channel("microkit_ppcall", ch);
        return seL4_MessageInfo_new(0, 0, 0, 0);
    }
    return seL4_Call(BASE_ENDPOINT_CAP + ch, msginfo);
}

/* Like microkit_notify, but sent together with the event loop's next receive. */
static inline void microkit_deferred_notify(microkit_channel ch)
{
    if (!microkit_internal_channel_ok(microkit_notifications, ch)) {
        microkit_internal_bad_channel("microkit_deferred_notify", ch);
        return;
    }
    microkit_have_signal = seL4_True;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_signal_cap = BASE_OUTPUT_NOTIFICATION_CAP + ch;
}

/* Like microkit_irq_ack, but sent together with the event loop's next receive. */
static inline void microkit_deferred_irq_ack(microkit_channel ch)
{
    if (!microkit_internal_channel_ok(microkit_irqs, ch)) {
        microkit_internal_bad_channel("microkit_deferred_irq_ack", ch);
        return;
    }
    microkit_have_signal = seL4_True;
    microkit_signal_msg = seL4_MessageInfo_new(IRQAckIRQ, 0, 0, 0);
    microkit_signal_cap = BASE_IRQ_CAP + ch;
}

/* ---- Child PDs ------------------------------------------------------------------------------- */

/* Restart a child at entry_point. Only the PC is written: the stack pointer is kept. */
static inline void microkit_pd_restart(microkit_child pd, seL4_Word entry_point)
{
    seL4_UserContext ctxt = { 0 };
    seL4_Error err;
    ctxt.pc = entry_point;
    err = seL4_TCB_WriteRegisters(BASE_TCB_CAP + pd, seL4_True, 0, 1, &ctxt);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_pd_restart: error writing TCB registers\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_pd_stop(microkit_child pd)
{
    seL4_Error err = seL4_TCB_Suspend(BASE_TCB_CAP + pd);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_pd_stop: error stopping TCB '");
        microkit_dbg_put32(pd);
        microkit_dbg_puts("'\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_pd_resume(microkit_child pd)
{
    seL4_Error err = seL4_TCB_Resume(BASE_TCB_CAP + pd);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_pd_resume: error resuming TCB '");
        microkit_dbg_put32(pd);
        microkit_dbg_puts("'\n");
        microkit_internal_crash(err);
    }
}

/* ---- Messages ------------------------------------------------------------------------------- */

static inline microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count)
{
    return seL4_MessageInfo_new(label, 0, 0, count);
}

static inline seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_label(msginfo);
}

static inline seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_length(msginfo);
}

static inline void microkit_mr_set(seL4_Uint8 mr, seL4_Word value)
{
    seL4_SetMR(mr, value);
}

static inline seL4_Word microkit_mr_get(seL4_Uint8 mr)
{
    return seL4_GetMR(mr);
}

/* ---- User caps (<cspace>) ---------------------------------------------------------------------- */

/* The cptr of root-CNode slot `slot` (1..63); seL4_CapNull outside that range. */
static inline seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word slot)
{
    if (slot == 0 || slot >= PD_ROOT_CAP_SIZE) {
        return seL4_CapNull;
    }
    return slot << (seL4_WordBits - PD_ROOT_CAP_BITS);
}

/* ---- Virtual machines (hypervisor kernel) -------------------------------------------------------- */

#if defined(CONFIG_ARM_HYPERVISOR_SUPPORT)
/* Start (or restart) vCPU `vcpu` at entry_point. */
static inline void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point)
{
    seL4_UserContext ctxt = { 0 };
    seL4_Error err;
    ctxt.pc = entry_point;
    err = seL4_TCB_WriteRegisters(BASE_VM_TCB_CAP + vcpu, seL4_True, 0, 1, &ctxt);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_restart: error writing registers\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_stop(microkit_child vcpu)
{
    seL4_Error err = seL4_TCB_Suspend(BASE_VM_TCB_CAP + vcpu);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_stop: error suspending TCB\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority,
                                                seL4_Uint8 group, seL4_Uint8 index)
{
    seL4_Error err = seL4_ARM_VCPU_InjectIRQ(BASE_VCPU_CAP + vcpu, irq, priority, group, index);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_inject_irq: error injecting IRQ\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq)
{
    seL4_Error err = seL4_ARM_VCPU_AckVPPI(BASE_VCPU_CAP + vcpu, irq);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_ack_vppi: error acking VPPI\n");
        microkit_internal_crash(err);
    }
}

static inline seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg)
{
    seL4_ARM_VCPU_ReadRegs_t ret = seL4_ARM_VCPU_ReadRegs(BASE_VCPU_CAP + vcpu, reg);
    if (ret.error != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_read_reg: error reading vCPU register\n");
        microkit_internal_crash((seL4_Error)ret.error);
    }
    return ret.value;
}

static inline void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value)
{
    seL4_Error err = seL4_ARM_VCPU_WriteRegs(BASE_VCPU_CAP + vcpu, reg, value);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_write_reg: error writing vCPU register\n");
        microkit_internal_crash(err);
    }
}
#endif

#if defined(CONFIG_ALLOW_SMC_CALLS)
/* Forward an SMC to the secure monitor (needs smc="true" on the PD). */
static inline void microkit_arm_smc_call(seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response)
{
    seL4_Error err = seL4_ARM_SMC_Call(ARM_SMC_CAP, args, response);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_arm_smc_call: error making SMC call\n");
        microkit_internal_crash(err);
    }
}
#endif
