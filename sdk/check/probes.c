/*
 * sel4ts SDK: ABI probes. Each function makes exactly one system call with constant
 * arguments; check.mjs disassembles this file (compiled with the SDK's flags for each
 * configuration and toolchain), works out the registers at the svc and compares them
 * with the seL4 ABI (sel4-abi.md §1.5, §8.2; labels from sel4-labels.md).
 *
 * Never linked into anything.
 */
#include <microkit.h>

#define PROBE __attribute__((noinline, used)) void

static seL4_Word badge_sink;
static seL4_UserContext regs_sink;

PROBE probe_irq_ack(void)
{
    seL4_IRQHandler_Ack(BASE_IRQ_CAP + 2);
}

PROBE probe_signal(void)
{
    seL4_Signal(BASE_OUTPUT_NOTIFICATION_CAP + 1);
}

PROBE probe_send(void)
{
    seL4_Send(12, seL4_MessageInfo_new(7, 0, 0, 2));
}

PROBE probe_nbsend(void)
{
    seL4_NBSend(12, seL4_MessageInfo_new(7, 0, 0, 2));
}

PROBE probe_call(void)
{
    seL4_Call(BASE_ENDPOINT_CAP, seL4_MessageInfo_new(5, 0, 0, 1));
}

PROBE probe_recv(void)
{
    seL4_Recv(INPUT_CAP, &badge_sink, REPLY_CAP);
}

PROBE probe_nbrecv(void)
{
    seL4_NBRecv(INPUT_CAP, &badge_sink, REPLY_CAP);
}

PROBE probe_wait(void)
{
    seL4_Wait(INPUT_CAP, &badge_sink);
}

PROBE probe_nbwait(void)
{
    seL4_NBWait(INPUT_CAP, &badge_sink);
}

PROBE probe_poll(void)
{
    seL4_Poll(INPUT_CAP, &badge_sink);
}

PROBE probe_reply_recv(void)
{
    seL4_ReplyRecv(INPUT_CAP, seL4_MessageInfo_new(0, 0, 0, 3), &badge_sink, REPLY_CAP);
}

PROBE probe_nbsend_recv(void)
{
    seL4_NBSendRecv(BASE_OUTPUT_NOTIFICATION_CAP, seL4_MessageInfo_new(0, 0, 0, 0), INPUT_CAP, &badge_sink,
                    REPLY_CAP);
}

PROBE probe_nbsend_wait(void)
{
    seL4_NBSendWait(BASE_OUTPUT_NOTIFICATION_CAP, seL4_MessageInfo_new(0, 0, 0, 0), INPUT_CAP, &badge_sink);
}

PROBE probe_yield(void)
{
    seL4_Yield();
}

PROBE probe_pd_restart(void)
{
    microkit_pd_restart(3, 0x200000);
}

PROBE probe_pd_stop(void)
{
    microkit_pd_stop(3);
}

PROBE probe_pd_resume(void)
{
    microkit_pd_resume(3);
}

PROBE probe_sc_bind(void)
{
    seL4_SchedContext_Bind(138 + 4, 202 + 4);
}

PROBE probe_read_registers(void)
{
    seL4_TCB_ReadRegisters(10 + 4, seL4_False, 0, 36, &regs_sink);
}

PROBE probe_sc_consumed(void)
{
    badge_sink = seL4_SchedContext_Consumed(138).consumed;
}

#if defined(CONFIG_PRINTING)
PROBE probe_put_char(void)
{
    seL4_DebugPutChar('A');
}

PROBE probe_dump_scheduler(void)
{
    seL4_DebugDumpScheduler();
}
#endif

#if defined(CONFIG_DEBUG_BUILD)
PROBE probe_halt(void)
{
    seL4_DebugHalt();
}

PROBE probe_cap_identify(void)
{
    badge_sink = seL4_DebugCapIdentify(10);
}

PROBE probe_snapshot(void)
{
    seL4_DebugSnapshot();
}

PROBE probe_name_thread(void)
{
    seL4_DebugNameThread(10, "pd");
}
#endif
