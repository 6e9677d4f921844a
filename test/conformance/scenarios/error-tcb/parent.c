#include "conformance.h"

#define CHILD_TCB (BASE_TCB_CAP + 1)

static void result(const char *what, seL4_Word error)
{
    say(microkit_name);
    say(": ");
    say(what);
    say(": error ");
    say_dec(error);
    if (error != seL4_NoError) {
        say(", mr0 ");
        say_hex(seL4_GetMR(0));
        say(", mr1 ");
        say_hex(seL4_GetMR(1));
    }
    say("\n");
}

void init(void)
{
    seL4_MessageInfo_t reply = seL4_Call(CHILD_TCB, seL4_MessageInfo_new(0xfff, 0, 0, 0));
    result("label 0xfff on a TCB cap", seL4_MessageInfo_get_label(reply));

    result("SetPriority 254 with the child as authority", seL4_TCB_SetPriority(CHILD_TCB, CHILD_TCB, 254));
    result("SetPriority 50 with the child as authority", seL4_TCB_SetPriority(CHILD_TCB, CHILD_TCB, 50));

    seL4_UserContext regs;
    result("ReadRegisters of 100 registers",
           seL4_TCB_ReadRegisters(CHILD_TCB, seL4_False, 0, 100, &regs));
    result("ReadRegisters of 2 registers", seL4_TCB_ReadRegisters(CHILD_TCB, seL4_False, 0, 2, &regs));
    result("ReadRegisters with an unknown arch flag", seL4_TCB_ReadRegisters(CHILD_TCB, seL4_False, 0x80, 2, &regs));
    result("SetSpace with an endpoint as CSpace root", seL4_TCB_SetSpace(CHILD_TCB, 0, 1, 0, 0, 0));
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    say_kv("unexpected fault from child ", child);
    return seL4_False;
}
