/*
 * The program of every PD in the generated systems `npm run bench` builds
 * (scripts/generate-system.ts): it carries the setvar symbols those systems patch and prints
 * its name when it starts.
 */
#include <stdint.h>
#include <microkit.h>

uintptr_t shared, mr0, mr1, mr2, mr3;

void init(void)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(" up\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_MessageInfo_t protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    return microkit_msginfo_new(0, 0);
}
