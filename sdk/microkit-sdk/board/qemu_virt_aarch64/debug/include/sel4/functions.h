/*
 * sel4ts SDK: access to the IPC buffer.
 *
 * Every PD (and the monitor) defines the global __sel4_ipc_buffer, initialised to the
 * top page of the address space, where the sel4ts tool maps the thread's IPC buffer
 * (microkit.md §1.7). libmicrokit defines it in src/main.c, the monitor in
 * monitor/monitor.c.
 */
#pragma once

#include <sel4/types.h>

/* Page holding the IPC buffer: the last page below seL4_UserTop. */
#define SEL4TS_IPC_BUFFER_VADDR (seL4_UserTop & ~((1UL << seL4_PageBits) - 1))

extern seL4_IPCBuffer *__sel4_ipc_buffer;

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void)
{
    return __sel4_ipc_buffer;
}

static inline seL4_Word seL4_GetMR(int i)
{
    return __sel4_ipc_buffer->msg[i];
}

static inline void seL4_SetMR(int i, seL4_Word mr)
{
    __sel4_ipc_buffer->msg[i] = mr;
}

static inline seL4_Word seL4_GetUserData(void)
{
    return __sel4_ipc_buffer->userData;
}

static inline void seL4_SetUserData(seL4_Word data)
{
    __sel4_ipc_buffer->userData = data;
}

/* Badge of the i-th unwrapped cap of the last received message. */
static inline seL4_Word seL4_GetBadge(int i)
{
    return __sel4_ipc_buffer->caps_or_badges[i];
}

static inline seL4_CPtr seL4_GetCap(int i)
{
    return (seL4_CPtr)__sel4_ipc_buffer->caps_or_badges[i];
}

/* The i-th extra cap of the next message sent (count it in the MessageInfo). */
static inline void seL4_SetCap(int i, seL4_CPtr cptr)
{
    __sel4_ipc_buffer->caps_or_badges[i] = (seL4_Word)cptr;
}

static inline void seL4_GetCapReceivePath(seL4_CPtr *receiveCNode, seL4_CPtr *receiveIndex, seL4_Word *receiveDepth)
{
    if (receiveCNode != seL4_Null) {
        *receiveCNode = __sel4_ipc_buffer->receiveCNode;
    }
    if (receiveIndex != seL4_Null) {
        *receiveIndex = __sel4_ipc_buffer->receiveIndex;
    }
    if (receiveDepth != seL4_Null) {
        *receiveDepth = __sel4_ipc_buffer->receiveDepth;
    }
}

static inline void seL4_SetCapReceivePath(seL4_CPtr receiveCNode, seL4_CPtr receiveIndex, seL4_Word receiveDepth)
{
    __sel4_ipc_buffer->receiveCNode = receiveCNode;
    __sel4_ipc_buffer->receiveIndex = receiveIndex;
    __sel4_ipc_buffer->receiveDepth = receiveDepth;
}
