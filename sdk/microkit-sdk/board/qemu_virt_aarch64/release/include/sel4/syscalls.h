/*
 * sel4ts SDK: the seL4 MCS system calls on AArch64.
 *
 * Register use (sel4-abi.md §1.1, §1.5):
 *
 *   x7      syscall number (negative, below)
 *   x0      cap to invoke / receive on; on return the badge
 *   x1      MessageInfo word in and out
 *   x2..x5  message registers MR0..MR3 (MR4.. live in the IPC buffer)
 *   x6      reply object for Recv, NBRecv, ReplyRecv, NBSendRecv;
 *           the *send destination* for NBSendWait; 0 for Call, Wait, NBWait
 *   x8      send destination of NBSendRecv (x0 is then the receive source)
 *
 * The kernel returns every register it does not write unchanged. The wrappers load
 * MR0..MR3 from the IPC buffer before a send and store the received MR0..MR3 back into
 * it afterwards, so callers always find the whole message in __sel4_ipc_buffer->msg[].
 * Every svc is declared as clobbering memory: the kernel reads and writes the IPC
 * buffer, and whatever the peer shares with us may have changed.
 *
 * When a thread blocked in a receive is woken by its bound notification the kernel
 * writes only x0 (the notification word); x1..x5 come back as they were at the svc.
 */
#pragma once

#include <sel4/config.h>
#include <sel4/types.h>
#include <sel4/functions.h>

typedef enum {
    seL4_SysCall = -1,
    seL4_SysReplyRecv = -2,
    seL4_SysNBSendRecv = -3,
    seL4_SysNBSendWait = -4,
    seL4_SysSend = -5,
    seL4_SysNBSend = -6,
    seL4_SysRecv = -7,
    seL4_SysNBRecv = -8,
    seL4_SysWait = -9,
    seL4_SysNBWait = -10,
    seL4_SysYield = -11,
    /* The debug numbers exist in every configuration; the kernel only accepts them in
     * debug builds (elsewhere they raise an UnknownSyscall fault). */
    seL4_SysDebugPutChar = -12,
    seL4_SysDebugDumpScheduler = -13,
    seL4_SysDebugHalt = -14,
    seL4_SysDebugCapIdentify = -15,
    seL4_SysDebugSnapshot = -16,
    seL4_SysDebugNameThread = -17,
} seL4_Syscall_ID;

/* ---- Raw svc sequences ----------------------------------------------------------------------
 *
 * Each register variable is initialised straight from a parameter right before the asm
 * statement, so nothing between initialisation and the svc can reuse the register.
 */

/* x0, x1, x2..x5 in; nothing out. Send, NBSend. */
static inline void sel4ts_svc_send(seL4_Word sys, seL4_Word dest, seL4_Word info, seL4_Word mr0, seL4_Word mr1,
                                   seL4_Word mr2, seL4_Word mr3)
{
    register seL4_Word x0 __asm__("x0") = dest;
    register seL4_Word x1 __asm__("x1") = info;
    register seL4_Word x2 __asm__("x2") = mr0;
    register seL4_Word x3 __asm__("x3") = mr1;
    register seL4_Word x4 __asm__("x4") = mr2;
    register seL4_Word x5 __asm__("x5") = mr3;
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : "r"(x7)
                     : "memory");
}

/* x0, x1 in; the message registers are not loaded. Signal. */
static inline void sel4ts_svc_signal(seL4_Word sys, seL4_Word dest, seL4_Word info)
{
    register seL4_Word x0 __asm__("x0") = dest;
    register seL4_Word x1 __asm__("x1") = info;
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x1) : "r"(x7) : "memory");
}

/* x0 and x6 in; x0 (badge), x1 (info), x2..x5 out. Recv, NBRecv, Wait, NBWait. */
static inline seL4_Word sel4ts_svc_recv(seL4_Word sys, seL4_Word src, seL4_Word reply, seL4_Word *info,
                                        seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word x0 __asm__("x0") = src;
    register seL4_Word x1 __asm__("x1");
    register seL4_Word x2 __asm__("x2");
    register seL4_Word x3 __asm__("x3");
    register seL4_Word x4 __asm__("x4");
    register seL4_Word x5 __asm__("x5");
    register seL4_Word x6 __asm__("x6") = reply;
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "=r"(x1), "=r"(x2), "=r"(x3), "=r"(x4), "=r"(x5)
                     : "r"(x6), "r"(x7)
                     : "memory");
    *info = x1;
    *mr0 = x2;
    *mr1 = x3;
    *mr2 = x4;
    *mr3 = x5;
    return x0;
}

/* x0, x1, x2..x5, x6 in; x0, x1, x2..x5 out; x8 untouched. Call, ReplyRecv. */
static inline seL4_Word sel4ts_svc_call(seL4_Word sys, seL4_Word cap, seL4_Word x6_value, seL4_Word *info,
                                        seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word x0 __asm__("x0") = cap;
    register seL4_Word x1 __asm__("x1") = *info;
    register seL4_Word x2 __asm__("x2") = *mr0;
    register seL4_Word x3 __asm__("x3") = *mr1;
    register seL4_Word x4 __asm__("x4") = *mr2;
    register seL4_Word x5 __asm__("x5") = *mr3;
    register seL4_Word x6 __asm__("x6") = x6_value;
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : "r"(x6), "r"(x7)
                     : "memory");
    *info = x1;
    *mr0 = x2;
    *mr1 = x3;
    *mr2 = x4;
    *mr3 = x5;
    return x0;
}

/* As sel4ts_svc_call, plus x8 in. NBSendRecv (x8 = dest), NBSendWait (x8 = 0). */
static inline seL4_Word sel4ts_svc_call_x8(seL4_Word sys, seL4_Word cap, seL4_Word x6_value, seL4_Word x8_value,
                                           seL4_Word *info, seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2,
                                           seL4_Word *mr3)
{
    register seL4_Word x0 __asm__("x0") = cap;
    register seL4_Word x1 __asm__("x1") = *info;
    register seL4_Word x2 __asm__("x2") = *mr0;
    register seL4_Word x3 __asm__("x3") = *mr1;
    register seL4_Word x4 __asm__("x4") = *mr2;
    register seL4_Word x5 __asm__("x5") = *mr3;
    register seL4_Word x6 __asm__("x6") = x6_value;
    register seL4_Word x7 __asm__("x7") = sys;
    register seL4_Word x8 __asm__("x8") = x8_value;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : "r"(x6), "r"(x7), "r"(x8)
                     : "memory");
    *info = x1;
    *mr0 = x2;
    *mr1 = x3;
    *mr2 = x4;
    *mr3 = x5;
    return x0;
}

/* x7 alone. Yield, DebugHalt, DebugSnapshot. */
static inline void sel4ts_svc_null(seL4_Word sys)
{
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0" : : "r"(x7) : "memory");
}

/* x0 = argument, x1..x6 = 0; returns x0. The debug calls that take an argument. */
static inline seL4_Word sel4ts_svc_debug(seL4_Word sys, seL4_Word arg)
{
    register seL4_Word x0 __asm__("x0") = arg;
    register seL4_Word x1 __asm__("x1") = 0;
    register seL4_Word x2 __asm__("x2") = 0;
    register seL4_Word x3 __asm__("x3") = 0;
    register seL4_Word x4 __asm__("x4") = 0;
    register seL4_Word x5 __asm__("x5") = 0;
    register seL4_Word x6 __asm__("x6") = 0;
    register seL4_Word x7 __asm__("x7") = sys;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : "r"(x6), "r"(x7)
                     : "memory");
    return x0;
}

/* ---- Helpers moving MR0..MR3 between the IPC buffer and registers -------------------------- */

static inline void sel4ts_load_mrs(seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    *mr0 = seL4_GetMR(0);
    *mr1 = seL4_GetMR(1);
    *mr2 = seL4_GetMR(2);
    *mr3 = seL4_GetMR(3);
}

static inline void sel4ts_store_mrs(seL4_Word mr0, seL4_Word mr1, seL4_Word mr2, seL4_Word mr3)
{
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    seL4_SetMR(2, mr2);
    seL4_SetMR(3, mr3);
}

/* Receive-side result: store MR0..MR3, hand out the badge, return the MessageInfo. */
static inline seL4_MessageInfo_t sel4ts_received(seL4_Word badge, seL4_Word info, seL4_Word mr0, seL4_Word mr1,
                                                 seL4_Word mr2, seL4_Word mr3, seL4_Word *sender)
{
    seL4_MessageInfo_t tag;
    sel4ts_store_mrs(mr0, mr1, mr2, mr3);
    if (sender != seL4_Null) {
        *sender = badge;
    }
    tag.words[0] = info;
    return tag;
}

/* ---- Send-only calls ------------------------------------------------------------------------- */

/* Blocking send of the message in the IPC buffer (an invocation, if dest is a kernel object). */
static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word mr0, mr1, mr2, mr3;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    sel4ts_svc_send((seL4_Word)seL4_SysSend, dest, msgInfo.words[0], mr0, mr1, mr2, mr3);
}

/* Non-blocking send: dropped if no receiver is waiting. */
static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word mr0, mr1, mr2, mr3;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    sel4ts_svc_send((seL4_Word)seL4_SysNBSend, dest, msgInfo.words[0], mr0, mr1, mr2, mr3);
}

/* Send with MR0..MR3 given by pointer (null or beyond the length: 0). */
static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                    seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word len = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word m0 = (mr0 != seL4_Null && len > 0) ? *mr0 : 0;
    seL4_Word m1 = (mr1 != seL4_Null && len > 1) ? *mr1 : 0;
    seL4_Word m2 = (mr2 != seL4_Null && len > 2) ? *mr2 : 0;
    seL4_Word m3 = (mr3 != seL4_Null && len > 3) ? *mr3 : 0;
    sel4ts_svc_send((seL4_Word)seL4_SysSend, dest, msgInfo.words[0], m0, m1, m2, m3);
}

/* Signal a notification: Send with an empty message; MRs are not loaded. */
static inline void seL4_Signal(seL4_CPtr dest)
{
    sel4ts_svc_signal((seL4_Word)seL4_SysSend, dest, seL4_MessageInfo_new(0, 0, 0, 0).words[0]);
}

/* ---- Call ---------------------------------------------------------------------------------------- */

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word info = msgInfo.words[0];
    seL4_Word mr0, mr1, mr2, mr3;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    sel4ts_svc_call((seL4_Word)seL4_SysCall, dest, 0, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(0, info, mr0, mr1, mr2, mr3, seL4_Null);
}

/*
 * Call with MR0..MR3 in registers only: an argument is sent if its pointer is non-null
 * and the length covers it (else 0 is sent); every non-null pointer receives the
 * reply's register. The IPC buffer's msg[0..3] is neither read nor written.
 */
static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word info = msgInfo.words[0];
    seL4_Word len = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word m0 = (mr0 != seL4_Null && len > 0) ? *mr0 : 0;
    seL4_Word m1 = (mr1 != seL4_Null && len > 1) ? *mr1 : 0;
    seL4_Word m2 = (mr2 != seL4_Null && len > 2) ? *mr2 : 0;
    seL4_Word m3 = (mr3 != seL4_Null && len > 3) ? *mr3 : 0;
    seL4_MessageInfo_t tag;
    sel4ts_svc_call((seL4_Word)seL4_SysCall, dest, 0, &info, &m0, &m1, &m2, &m3);
    if (mr0 != seL4_Null) {
        *mr0 = m0;
    }
    if (mr1 != seL4_Null) {
        *mr1 = m1;
    }
    if (mr2 != seL4_Null) {
        *mr2 = m2;
    }
    if (mr3 != seL4_Null) {
        *mr3 = m3;
    }
    tag.words[0] = info;
    return tag;
}

/* ---- Receive-only calls ------------------------------------------------------------------------ */

/* Blocking receive on an endpoint or notification; reply = Reply object (used for endpoints). */
static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender, seL4_CPtr reply)
{
    seL4_Word info, mr0, mr1, mr2, mr3, badge;
    badge = sel4ts_svc_recv((seL4_Word)seL4_SysRecv, src, reply, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Non-blocking receive: if nothing is pending the badge comes back as 0. */
static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender, seL4_CPtr reply)
{
    seL4_Word info, mr0, mr1, mr2, mr3, badge;
    badge = sel4ts_svc_recv((seL4_Word)seL4_SysNBRecv, src, reply, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Blocking receive without a reply object (notifications, or endpoints without Call). */
static inline seL4_MessageInfo_t seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word info, mr0, mr1, mr2, mr3, badge;
    badge = sel4ts_svc_recv((seL4_Word)seL4_SysWait, src, 0, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

static inline seL4_MessageInfo_t seL4_NBWait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word info, mr0, mr1, mr2, mr3, badge;
    badge = sel4ts_svc_recv((seL4_Word)seL4_SysNBWait, src, 0, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Poll a notification (MCS: NBWait). */
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    return seL4_NBWait(src, sender);
}

/* ---- Combined send + receive ----------------------------------------------------------------- */

/* Reply through the Reply object `reply`, then wait on src with the same Reply object. */
static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo, seL4_Word *sender,
                                                seL4_CPtr reply)
{
    seL4_Word info = msgInfo.words[0];
    seL4_Word mr0, mr1, mr2, mr3, badge;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    badge = sel4ts_svc_call((seL4_Word)seL4_SysReplyRecv, src, reply, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Non-blocking send to dest (x8), then a blocking receive on src (x0) with `reply` (x6). */
static inline seL4_MessageInfo_t seL4_NBSendRecv(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_CPtr src,
                                                 seL4_Word *sender, seL4_CPtr reply)
{
    seL4_Word info = msgInfo.words[0];
    seL4_Word mr0, mr1, mr2, mr3, badge;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    badge = sel4ts_svc_call_x8((seL4_Word)seL4_SysNBSendRecv, src, reply, dest, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Non-blocking send to dest (carried in x6), then a Wait on src (no reply object). */
static inline seL4_MessageInfo_t seL4_NBSendWait(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_CPtr src,
                                                 seL4_Word *sender)
{
    seL4_Word info = msgInfo.words[0];
    seL4_Word mr0, mr1, mr2, mr3, badge;
    sel4ts_load_mrs(&mr0, &mr1, &mr2, &mr3);
    badge = sel4ts_svc_call_x8((seL4_Word)seL4_SysNBSendWait, src, dest, 0, &info, &mr0, &mr1, &mr2, &mr3);
    return sel4ts_received(badge, info, mr0, mr1, mr2, mr3, sender);
}

/* Give up the rest of the current time slice (MCS: the head refill). */
static inline void seL4_Yield(void)
{
    sel4ts_svc_null((seL4_Word)seL4_SysYield);
}

/* ---- Debug calls ----------------------------------------------------------------------------- */

#if defined(CONFIG_PRINTING)
/* Write one byte to the kernel console. */
static inline void seL4_DebugPutChar(char c)
{
    sel4ts_svc_debug((seL4_Word)seL4_SysDebugPutChar, (seL4_Word)(seL4_Uint8)c);
}

/* Write a NUL-terminated string to the kernel console, one DebugPutChar per byte. */
static inline void seL4_DebugPutString(const char *str)
{
    for (; *str != '\0'; str++) {
        seL4_DebugPutChar(*str);
    }
}

static inline void seL4_DebugDumpScheduler(void)
{
    sel4ts_svc_debug((seL4_Word)seL4_SysDebugDumpScheduler, 0);
}
#endif

#if defined(CONFIG_DEBUG_BUILD)
/* Stop the whole machine. */
static inline void seL4_DebugHalt(void)
{
    sel4ts_svc_null((seL4_Word)seL4_SysDebugHalt);
}

static inline void seL4_DebugSnapshot(void)
{
    sel4ts_svc_null((seL4_Word)seL4_SysDebugSnapshot);
}

/* Cap type tag of the cap at cptr `cap` (0: empty slot or failed lookup). */
static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    return (seL4_Uint32)sel4ts_svc_debug((seL4_Word)seL4_SysDebugCapIdentify, cap);
}

/*
 * Name the thread whose TCB cap is `tcb`. The name travels as bytes in the IPC buffer
 * from msg[0] on; the kernel halts on names longer than the message area, so the copy
 * stops one byte short of it and always writes the terminator.
 */
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&__sel4_ipc_buffer->msg[0];
    unsigned long i = 0;
    while (i < seL4_MsgMaxLength * sizeof(seL4_Word) - 1 && name[i] != '\0') {
        dst[i] = name[i];
        i++;
    }
    dst[i] = '\0';
    sel4ts_svc_debug((seL4_Word)seL4_SysDebugNameThread, tcb);
}
#endif
