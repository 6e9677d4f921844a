#include "conformance.h"

static void call(seL4_Word count)
{
    for (seL4_Word i = 0; i < 120; i++) microkit_mr_set(i, i * 3 + 1);
    microkit_msginfo reply = microkit_ppcall(0, microkit_msginfo_new(count, count));
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < microkit_msginfo_get_count(reply); i++) sum += microkit_mr_get(i);
    say_kv("reply label ", microkit_msginfo_get_label(reply));
    say_kv("reply count ", microkit_msginfo_get_count(reply));
    say_kv("reply sum ", sum);
}

void init(void)
{
    call(4);   /* all in registers */
    call(5);   /* the fifth from the IPC buffer */
    call(120); /* seL4_MsgMaxLength */
    call(127); /* the largest length field: the kernel copies 120 */
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
