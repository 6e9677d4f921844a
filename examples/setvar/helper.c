/*
 * helper: a child of the setvar PD. Its end of the channel to the parent has
 * setvar_id="parent_channel", so the tool patched that id into `parent_channel`; the
 * helper uses it to notify the parent.
 */
#include <microkit.h>
#include "print.h"

seL4_Word parent_channel;

void init(void)
{
    show("helper", "parent_channel", parent_channel);
    microkit_notify(parent_channel);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
