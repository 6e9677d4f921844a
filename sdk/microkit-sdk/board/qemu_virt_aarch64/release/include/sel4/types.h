/*
 * sel4ts SDK: the seL4 data types user code handles: message info words, cap rights,
 * the IPC buffer, the AArch64 register context, and the cap-type names the
 * invocation stubs take.
 */
#pragma once

#include <sel4/simple_types.h>
#include <sel4/constants.h>

/* Capability pointers by the kind of object they name (all plain CPtrs). */
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_SchedContext;
typedef seL4_CPtr seL4_SchedControl;
typedef seL4_CPtr seL4_ARM_VSpace;
typedef seL4_CPtr seL4_ARM_Page;
typedef seL4_CPtr seL4_ARM_PageTable;
typedef seL4_CPtr seL4_ARM_ASIDControl;
typedef seL4_CPtr seL4_ARM_ASIDPool;
typedef seL4_CPtr seL4_ARM_VCPU;
typedef seL4_CPtr seL4_ARM_SMC;

typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_Domain;
typedef seL4_Uint64 seL4_Time;

/* ---- seL4_MessageInfo: label 63..12, capsUnwrapped 11..9, extraCaps 8..7, length 6..0 */

typedef struct seL4_MessageInfo {
    seL4_Uint64 words[1];
} seL4_MessageInfo_t;

#define SEL4TS_MI_LABEL_SHIFT 12
#define SEL4TS_MI_LABEL_MASK 0xfffffffffffffUL /* 52 bits */
#define SEL4TS_MI_UNWRAPPED_SHIFT 9
#define SEL4TS_MI_UNWRAPPED_MASK 0x7UL
#define SEL4TS_MI_EXTRA_SHIFT 7
#define SEL4TS_MI_EXTRA_MASK 0x3UL
#define SEL4TS_MI_LENGTH_MASK 0x7fUL

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped,
                                                      seL4_Uint64 extraCaps, seL4_Uint64 length)
{
    seL4_MessageInfo_t info;
    info.words[0] = ((label & SEL4TS_MI_LABEL_MASK) << SEL4TS_MI_LABEL_SHIFT)
                    | ((capsUnwrapped & SEL4TS_MI_UNWRAPPED_MASK) << SEL4TS_MI_UNWRAPPED_SHIFT)
                    | ((extraCaps & SEL4TS_MI_EXTRA_MASK) << SEL4TS_MI_EXTRA_SHIFT)
                    | (length & SEL4TS_MI_LENGTH_MASK);
    return info;
}

static inline seL4_Uint64 seL4_MessageInfo_get_label(seL4_MessageInfo_t info)
{
    return (info.words[0] >> SEL4TS_MI_LABEL_SHIFT) & SEL4TS_MI_LABEL_MASK;
}

static inline seL4_Uint64 seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t info)
{
    return (info.words[0] >> SEL4TS_MI_UNWRAPPED_SHIFT) & SEL4TS_MI_UNWRAPPED_MASK;
}

static inline seL4_Uint64 seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t info)
{
    return (info.words[0] >> SEL4TS_MI_EXTRA_SHIFT) & SEL4TS_MI_EXTRA_MASK;
}

static inline seL4_Uint64 seL4_MessageInfo_get_length(seL4_MessageInfo_t info)
{
    return info.words[0] & SEL4TS_MI_LENGTH_MASK;
}

/* Replace one field of a word: clear it, then OR in the masked value. */
static inline seL4_Uint64 sel4ts_set_field(seL4_Uint64 word, seL4_Uint64 mask, unsigned shift, seL4_Uint64 v)
{
    return (word & ~(mask << shift)) | ((v & mask) << shift);
}

static inline seL4_MessageInfo_t seL4_MessageInfo_set_label(seL4_MessageInfo_t info, seL4_Uint64 v)
{
    info.words[0] = sel4ts_set_field(info.words[0], SEL4TS_MI_LABEL_MASK, SEL4TS_MI_LABEL_SHIFT, v);
    return info;
}

static inline seL4_MessageInfo_t seL4_MessageInfo_set_capsUnwrapped(seL4_MessageInfo_t info, seL4_Uint64 v)
{
    info.words[0] = sel4ts_set_field(info.words[0], SEL4TS_MI_UNWRAPPED_MASK, SEL4TS_MI_UNWRAPPED_SHIFT, v);
    return info;
}

static inline seL4_MessageInfo_t seL4_MessageInfo_set_extraCaps(seL4_MessageInfo_t info, seL4_Uint64 v)
{
    info.words[0] = sel4ts_set_field(info.words[0], SEL4TS_MI_EXTRA_MASK, SEL4TS_MI_EXTRA_SHIFT, v);
    return info;
}

static inline seL4_MessageInfo_t seL4_MessageInfo_set_length(seL4_MessageInfo_t info, seL4_Uint64 v)
{
    info.words[0] = sel4ts_set_field(info.words[0], SEL4TS_MI_LENGTH_MASK, 0, v);
    return info;
}

/* Pointer forms, as the libsel4 bitfield generator also provides them. */
static inline seL4_Uint64 seL4_MessageInfo_ptr_get_label(seL4_MessageInfo_t *info)
{
    return seL4_MessageInfo_get_label(*info);
}

static inline seL4_Uint64 seL4_MessageInfo_ptr_get_length(seL4_MessageInfo_t *info)
{
    return seL4_MessageInfo_get_length(*info);
}

static inline seL4_Uint64 seL4_MessageInfo_ptr_get_extraCaps(seL4_MessageInfo_t *info)
{
    return seL4_MessageInfo_get_extraCaps(*info);
}

static inline seL4_Uint64 seL4_MessageInfo_ptr_get_capsUnwrapped(seL4_MessageInfo_t *info)
{
    return seL4_MessageInfo_get_capsUnwrapped(*info);
}

static inline void seL4_MessageInfo_ptr_set_label(seL4_MessageInfo_t *info, seL4_Uint64 v)
{
    *info = seL4_MessageInfo_set_label(*info, v);
}

static inline void seL4_MessageInfo_ptr_set_length(seL4_MessageInfo_t *info, seL4_Uint64 v)
{
    *info = seL4_MessageInfo_set_length(*info, v);
}

static inline void seL4_MessageInfo_ptr_set_extraCaps(seL4_MessageInfo_t *info, seL4_Uint64 v)
{
    *info = seL4_MessageInfo_set_extraCaps(*info, v);
}

static inline void seL4_MessageInfo_ptr_set_capsUnwrapped(seL4_MessageInfo_t *info, seL4_Uint64 v)
{
    *info = seL4_MessageInfo_set_capsUnwrapped(*info, v);
}

/* ---- seL4_CapRights: grantReply bit 3, grant bit 2, read bit 1, write bit 0 ----------- */

typedef struct seL4_CapRights {
    seL4_Uint64 words[1];
} seL4_CapRights_t;

static inline seL4_CapRights_t seL4_CapRights_new(seL4_Uint64 capAllowGrantReply, seL4_Uint64 capAllowGrant,
                                                  seL4_Uint64 capAllowRead, seL4_Uint64 capAllowWrite)
{
    seL4_CapRights_t r;
    r.words[0] = ((capAllowGrantReply & 1) << 3) | ((capAllowGrant & 1) << 2) | ((capAllowRead & 1) << 1)
                 | (capAllowWrite & 1);
    return r;
}

static inline seL4_Uint64 seL4_CapRights_get_capAllowGrantReply(seL4_CapRights_t r)
{
    return (r.words[0] >> 3) & 1;
}

static inline seL4_Uint64 seL4_CapRights_get_capAllowGrant(seL4_CapRights_t r)
{
    return (r.words[0] >> 2) & 1;
}

static inline seL4_Uint64 seL4_CapRights_get_capAllowRead(seL4_CapRights_t r)
{
    return (r.words[0] >> 1) & 1;
}

static inline seL4_Uint64 seL4_CapRights_get_capAllowWrite(seL4_CapRights_t r)
{
    return r.words[0] & 1;
}

static inline seL4_CapRights_t seL4_CapRights_set_capAllowGrantReply(seL4_CapRights_t r, seL4_Uint64 v)
{
    r.words[0] = sel4ts_set_field(r.words[0], 1, 3, v);
    return r;
}

static inline seL4_CapRights_t seL4_CapRights_set_capAllowGrant(seL4_CapRights_t r, seL4_Uint64 v)
{
    r.words[0] = sel4ts_set_field(r.words[0], 1, 2, v);
    return r;
}

static inline seL4_CapRights_t seL4_CapRights_set_capAllowRead(seL4_CapRights_t r, seL4_Uint64 v)
{
    r.words[0] = sel4ts_set_field(r.words[0], 1, 1, v);
    return r;
}

static inline seL4_CapRights_t seL4_CapRights_set_capAllowWrite(seL4_CapRights_t r, seL4_Uint64 v)
{
    r.words[0] = sel4ts_set_field(r.words[0], 1, 0, v);
    return r;
}

#define seL4_ReadWrite seL4_CapRights_new(0, 0, 1, 1)
#define seL4_AllRights seL4_CapRights_new(1, 1, 1, 1)
#define seL4_CanRead seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanWrite seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanGrant seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply seL4_CapRights_new(1, 0, 0, 0)
#define seL4_NoWrite seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead seL4_CapRights_new(1, 1, 0, 1)
#define seL4_NoRights seL4_CapRights_new(0, 0, 0, 0)

/* ---- CNode cap data (guard 63..6, guard size 5..0) ------------------------------------- */

typedef struct seL4_CNode_CapData {
    seL4_Uint64 words[1];
} seL4_CNode_CapData_t;

static inline seL4_CNode_CapData_t seL4_CNode_CapData_new(seL4_Uint64 guard, seL4_Uint64 guardSize)
{
    seL4_CNode_CapData_t d;
    d.words[0] = ((guard & 0x3ffffffffffffffUL) << 6) | (guardSize & 0x3f);
    return d;
}

/* ---- IPC buffer ---------------------------------------------------------------------------- */

typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} seL4_IPCBuffer __attribute__((__aligned__(sizeof(struct seL4_IPCBuffer_))));

_Static_assert(sizeof(seL4_IPCBuffer) == 1024, "the IPC buffer is 1024 bytes");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, msg) == 0x8, "msg[] starts at word 1");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, caps_or_badges) == 0x3d0, "caps_or_badges at word 122");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, receiveDepth) == 0x3f8, "receiveDepth is the last word");

/* ---- AArch64 register context ------------------------------------------------------------ */

/*
 * The order is the kernel's: TCB_ReadRegisters / WriteRegisters transfer a prefix of
 * this structure, so "count 1" means the PC alone.
 */
typedef struct seL4_UserContext_ {
    seL4_Word pc, sp, spsr, x0, x1, x2, x3, x4, x5, x6, x7, x8, x16, x17, x18, x29, x30;
    seL4_Word x9, x10, x11, x12, x13, x14, x15, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
    seL4_Word tpidr_el0, tpidrro_el0;
} seL4_UserContext;

_Static_assert(sizeof(seL4_UserContext) == 36 * sizeof(seL4_Word), "36 registers");

/* Arguments and results of seL4_ARM_SMC_Call: x0..x7 of the SMC. */
typedef struct seL4_ARM_SMCContext_ {
    seL4_Word x0, x1, x2, x3, x4, x5, x6, x7;
} seL4_ARM_SMCContext;
