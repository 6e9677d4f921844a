/*
 * sel4ts libmicrokit: the PD's globals, main() and the event loop (microkit.md §3.4, §3.5).
 *
 * The sel4ts tool writes into the first six globals below before the PD starts, so they
 * must stay real data symbols with exactly these names and sizes:
 *
 *   microkit_name            char[64]  PD name, NUL-padded
 *   microkit_passive         1 byte    0 or 1
 *   microkit_irqs            u64       bit id for every <irq id=…>
 *   microkit_notifications   u64       bit id for every channel end with notify="true"
 *   microkit_pps             u64       bit id for every channel end with pp="true"
 *   microkit_ioports         u64       x86 only (stays 0)
 */
#include <microkit.h>

char microkit_name[MICROKIT_PD_NAME_LENGTH];
_Bool microkit_passive;
seL4_Word microkit_irqs;
seL4_Word microkit_notifications;
seL4_Word microkit_pps;
seL4_Word microkit_ioports;

/* The deferred send (microkit_deferred_notify / _irq_ack and the passive handshake). */
seL4_Bool microkit_have_signal = seL4_False;
seL4_CPtr microkit_signal_cap;
seL4_MessageInfo_t microkit_signal_msg;

/* The IPC buffer is mapped by the tool in the top page of the address space. */
seL4_IPCBuffer *__sel4_ipc_buffer = (seL4_IPCBuffer *)SEL4TS_IPC_BUFFER_VADDR;

_Static_assert(sizeof(microkit_name) == 64, "the tool writes up to 64 name bytes");
_Static_assert(sizeof(microkit_passive) == 1, "the tool writes one byte");
_Static_assert(sizeof(microkit_irqs) == 8 && sizeof(microkit_pps) == 8, "the tool writes u64 masks");
_Static_assert(SEL4TS_IPC_BUFFER_VADDR == 0xfffffff000UL, "IPC buffer page of qemu_virt_aarch64");

/* Bounds of .init_array, from microkit.ld. */
typedef void (*microkit_init_func)(void);
extern const microkit_init_func __init_array_start[];
extern const microkit_init_func __init_array_end[];

__attribute__((weak)) microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    microkit_internal_put_name();
    microkit_dbg_puts(" is missing the 'protected' entry point\n");
    microkit_internal_crash(seL4_NoError);
    return seL4_MessageInfo_new(0, 0, 0, 0);
}

__attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo msginfo,
                                      microkit_msginfo *reply_msginfo)
{
    (void)child;
    (void)msginfo;
    (void)reply_msginfo;
    microkit_internal_put_name();
    microkit_dbg_puts(" is missing the 'fault' entry point\n");
    microkit_internal_crash(seL4_NoError);
    return seL4_False;
}

static void run_init_array(void)
{
    for (const microkit_init_func *f = __init_array_start; f < __init_array_end; f++) {
        (*f)();
    }
}

/*
 * Wait for the next event and dispatch it, forever.
 *
 * Replies (to a PPC, or to a child's fault when fault() asked for one) are not sent at
 * once: they go out with the next receive through ReplyRecv. A deferred signal rides on
 * the next receive through NBSendRecv; if a reply is also due, the signal is sent first
 * with a plain Send, because ReplyRecv has no room for a second send.
 */
__attribute__((noreturn)) static void handler_loop(void)
{
    seL4_Bool have_reply = seL4_False;
    microkit_msginfo reply_tag = seL4_MessageInfo_new(0, 0, 0, 0);

    /*
     * Ack every IRQ of this PD once before the first receive: an interrupt that fired
     * before the handler was bound would otherwise stay masked (seL4 issue 1536). The
     * kernel accepts an ack for an IRQ that never fired.
     */
    for (seL4_Word pending = microkit_irqs, id = 0; pending != 0; pending >>= 1, id++) {
        if (pending & 1) {
            microkit_irq_ack((microkit_channel)id);
        }
    }

    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t tag;

        if (have_reply) {
            if (microkit_have_signal) {
                seL4_Send(microkit_signal_cap, microkit_signal_msg);
                microkit_have_signal = seL4_False;
            }
            tag = seL4_ReplyRecv(INPUT_CAP, reply_tag, &badge, REPLY_CAP);
        } else if (microkit_have_signal) {
            tag = seL4_NBSendRecv(microkit_signal_cap, microkit_signal_msg, INPUT_CAP, &badge, REPLY_CAP);
            microkit_have_signal = seL4_False;
        } else {
            tag = seL4_Recv(INPUT_CAP, &badge, REPLY_CAP);
        }

        have_reply = seL4_False;

        if (badge & FAULT_BADGE) {
            /* A child PD or vCPU faulted: the fault message is in tag and the MRs. */
            if (fault((microkit_child)(badge & PD_MASK), tag, &reply_tag)) {
                have_reply = seL4_True;
            }
        } else if (badge & PPC_BADGE) {
            reply_tag = protected((microkit_channel)(badge & CHANNEL_MASK), tag);
            have_reply = seL4_True;
        } else {
            /* Notification word: one bit per signalled channel, lowest id first. */
            for (microkit_channel ch = 0; badge != 0; badge >>= 1, ch++) {
                if (badge & 1) {
                    notified(ch);
                }
            }
        }
    }
}

int main(void)
{
    run_init_array();
    init();

    /*
     * A passive PD asks the monitor to take its scheduling context away: an empty
     * message on MONITOR_EP (label 0, badge = PD index + 1), sent with the first receive.
     */
    if (microkit_passive) {
        microkit_have_signal = seL4_True;
        microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
        microkit_signal_cap = MONITOR_EP;
    }

    handler_loop();
}
