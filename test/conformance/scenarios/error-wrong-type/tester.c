#include "conformance.h"

static void result(const char *what, seL4_Word error)
{
    say(microkit_name);
    say(": ");
    say(what);
    say(": ");
    say_dec(error);
    say("\n");
}

void init(void)
{
    result("TCB_Suspend on a notification cap", seL4_TCB_Suspend(BASE_OUTPUT_NOTIFICATION_CAP + 2));
    result("IRQHandler_Ack on an endpoint cap (the server's reply label)", seL4_IRQHandler_Ack(BASE_ENDPOINT_CAP + 1));
    result("IRQHandler_Ack on a TCB cap", seL4_IRQHandler_Ack(BASE_TCB_CAP + 1));
    result("TCB_Resume on an IRQ-handler cap", seL4_TCB_Resume(BASE_IRQ_CAP + 6));
    result("IRQHandler_Ack on an IRQ-handler cap", seL4_IRQHandler_Ack(BASE_IRQ_CAP + 6));
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
