#include "conformance.h"

/* Slot 63 (the notification of channel 53) is empty: this PD has no such channel. */
#define EMPTY 63

void init(void)
{
    say_line("seL4_Call on an empty slot");
    seL4_SetMR(0, 0x1234);
    seL4_MessageInfo_t reply = seL4_Call(EMPTY, seL4_MessageInfo_new(5, 0, 0, 1));
    say_kv("reply label (seL4_Error) ", seL4_MessageInfo_get_label(reply));
    say_kv("reply length ", seL4_MessageInfo_get_length(reply));
    say_kv("reply mr0 (which cap) ", seL4_GetMR(0));

    say_line("seL4_Signal on an empty slot");
    seL4_Signal(EMPTY);
    say_line("returned");

    say_line("seL4_Send on an empty slot");
    seL4_Send(EMPTY, seL4_MessageInfo_new(0, 0, 0, 0));
    say_line("returned");

    say_line("seL4_NBSend on an empty slot");
    seL4_NBSend(EMPTY, seL4_MessageInfo_new(0, 0, 0, 0));
    say_line("returned");
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
