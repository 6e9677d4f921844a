/*
 * sel4ts monitor: the system's fault handler and passive-PD helper (microkit.md §3.8,
 * sel4-abi.md §8.4).
 *
 * The monitor runs at priority 255 with one 4 KiB stack page. Every top-level PD's
 * fault endpoint is the monitor's endpoint with badge PD index + 1, so one receive
 * loop serves two kinds of message:
 *
 *   - label 0 (NullFault) from a valid PD: a passive PD asking to give up its
 *     scheduling context. The monitor binds the PD's SchedContext to the PD's
 *     notification; the kernel moves it there the next time the PD blocks.
 *   - anything else: a fault. The monitor prints a report and never replies, so the
 *     faulting thread stays blocked (its reply is cancelled by the next receive).
 *
 * In the release configuration nothing is printed, but the passive handshake works.
 *
 * CSpace (one CNode; cptrs are slot numbers):
 *   1          fault endpoint (all PDs' fault caps point here)
 *   2          Reply object
 *   10 + i     TCB of PD i
 *   74 + k     TCB of the k-th vCPU (over all VMs)
 *   138 + i    SchedContext of passive PD i
 *   202 + i    notification of passive PD i
 *
 * The sel4ts tool fills the tables below before the monitor starts (zero until then).
 * Keep their names and sizes in sync with src/compiler/elf/microkit-symbols.ts.
 */
#include <sel4/sel4.h>

#define MAX_PDS 64
#define MAX_VMS 64
#define MAX_NAME_LEN 64

#define FAULT_EP_CAP 1
#define REPLY_CAP 2
#define BASE_PD_TCB_CAP 10
#define BASE_VM_TCB_CAP 74
#define BASE_SCHED_CONTEXT_CAP 138
#define BASE_NOTIFICATION_CAP 202

#define PAGE_SIZE 0x1000UL

seL4_Word pd_names_len;
char pd_names[MAX_PDS][MAX_NAME_LEN];
seL4_Word vm_names_len;
char vm_names[MAX_VMS][MAX_NAME_LEN];
seL4_Word pd_stack_bottom_addrs[MAX_PDS]; /* lowest stack address of each PD */

seL4_IPCBuffer *__sel4_ipc_buffer = (seL4_IPCBuffer *)SEL4TS_IPC_BUFFER_VADDR;

_Static_assert(sizeof(pd_names) == 64 * 64 && sizeof(vm_names) == 64 * 64, "name tables are char[64][64]");
_Static_assert(sizeof(pd_stack_bottom_addrs) == 64 * 8, "one u64 per PD");

#if defined(CONFIG_PRINTING)

/* ---- Output (no C library: everything goes through seL4_DebugPutChar) ---------------------- */

/* Out of line: inlined, the constant strings of the reports unroll into long runs of svcs. */
__attribute__((noinline)) static void out_char(char c)
{
    seL4_DebugPutChar(c);
}

__attribute__((noinline)) static void out_str(const char *s)
{
    for (; *s != '\0'; s++) {
        out_char(*s);
    }
}

/* A name from one of the tables: at most 64 bytes, NUL-terminated when shorter. */
static void out_name(const char *name)
{
    for (unsigned i = 0; i < MAX_NAME_LEN && name[i] != '\0'; i++) {
        out_char(name[i]);
    }
}

/* "0x" and at least min_digits lowercase hex digits, like printf("0x%0*lx"). */
__attribute__((noinline)) static void out_hex(seL4_Word value, unsigned min_digits)
{
    char digits[16];
    unsigned n = 0;
    do {
        unsigned d = value & 0xf;
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        value >>= 4;
    } while (value != 0);
    while (n < min_digits && n < sizeof(digits)) {
        digits[n++] = '0';
    }
    out_str("0x");
    while (n > 0) {
        out_char(digits[--n]);
    }
}

static void out_hex64(seL4_Word value)
{
    out_hex(value, 16);
}

static void out_hex32(seL4_Word value)
{
    out_hex(value, 8);
}

static void out_udec(seL4_Word value)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        out_char(digits[--n]);
    }
}

static void out_sdec(seL4_Word value)
{
    seL4_Int64 v = (seL4_Int64)value;
    if (v < 0) {
        out_char('-');
        out_udec(-(seL4_Word)value);
    } else {
        out_udec(value);
    }
}

static const char *error_name(seL4_Error err)
{
    switch (err) {
    case seL4_NoError: return "seL4_NoError";
    case seL4_InvalidArgument: return "seL4_InvalidArgument";
    case seL4_InvalidCapability: return "seL4_InvalidCapability";
    case seL4_IllegalOperation: return "seL4_IllegalOperation";
    case seL4_RangeError: return "seL4_RangeError";
    case seL4_AlignmentError: return "seL4_AlignmentError";
    case seL4_FailedLookup: return "seL4_FailedLookup";
    case seL4_TruncatedMessage: return "seL4_TruncatedMessage";
    case seL4_DeleteFirst: return "seL4_DeleteFirst";
    case seL4_RevokeFirst: return "seL4_RevokeFirst";
    case seL4_NotEnoughMemory: return "seL4_NotEnoughMemory";
    default: return "<unknown seL4 error>";
    }
}

/* ---- Register dump ------------------------------------------------------------------------ */

/*
 * One line per register, in seL4_UserContext order, after a "Registers: " header:
 *
 *     Registers: 
 *     pc : 0x0000000000200010
 *     sp: 0x000000ffffffe000
 *     spsr : 0x0000000060000040
 *     x0 : 0x…      (x0..x8, x16, x17, x18, x29, x30, x9..x15, x19..x28)
 *     tpidr_el0 : 0x…
 *     tpidrro_el0 : 0x…
 *
 * This is the layout the Microkit monitor prints (note "sp:" without the space), so
 * logs from sel4ts and from a real board compare line by line.
 */
static const char *const register_labels[36] = {
    "pc : ",  "sp: ",   "spsr : ", "x0 : ",  "x1 : ",  "x2 : ",  "x3 : ",  "x4 : ",  "x5 : ",
    "x6 : ",  "x7 : ",  "x8 : ",   "x16 : ", "x17 : ", "x18 : ", "x29 : ", "x30 : ", "x9 : ",
    "x10 : ", "x11 : ", "x12 : ",  "x13 : ", "x14 : ", "x15 : ", "x19 : ", "x20 : ", "x21 : ",
    "x22 : ", "x23 : ", "x24 : ",  "x25 : ", "x26 : ", "x27 : ", "x28 : ", "tpidr_el0 : ", "tpidrro_el0 : ",
};

static void print_registers(const seL4_UserContext *regs)
{
    const seL4_Word *words = (const seL4_Word *)regs;
    out_str("Registers: \n");
    for (unsigned i = 0; i < 36; i++) {
        out_str(register_labels[i]);
        out_hex64(words[i]);
        out_str("\n");
    }
}

/* ---- AArch64 syndrome decoding (ARM DDI 0487, ESR_ELx) ------------------------------------ */

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL(esr) (((esr) >> 25) & 1)
#define ESR_ISS(esr) ((esr) & 0x1ffffffUL)

#define EC_DATA_ABORT_LOWER 0x24
#define EC_BRK 0x3c

/*
 * The texts are Microkit's monitor's, word for word (its spelling included): a report is
 * compared with what real Microkit prints (test/conformance/).
 */
static const char *ec_name(seL4_Word ec)
{
    switch (ec) {
    case 0: return "Unknown reason";
    case 1: return "Trapped WFI or WFE instruction execution";
    case 3: return "Trapped MCR or MRC access with (coproc==0b1111) this is not reported using EC 0b000000";
    case 4: return "Trapped MCRR or MRRC access with (coproc==0b1111) this is not reported using EC 0b000000";
    case 5: return "Trapped MCR or MRC access with (coproc==0b1110)";
    case 6: return "Trapped LDC or STC access";
    case 7: return "Access to SVC, Advanced SIMD or floating-point functionality trapped";
    case 12: return "Trapped MRRC access with (coproc==0b1110)";
    case 13: return "Branch Target Exception";
    case 17: return "SVC instruction execution in AArch32 state";
    case 21: return "SVC instruction execution in AArch64 state";
    case 24: return "Trapped MSR, MRS or System instruction exuection in AArch64 state, this is not reported using EC 0xb000000, 0b000001 or 0b000111";
    case 25: return "Access to SVE functionality trapped";
    case 28: return "Exception from a Pointer Authentication instruction authentication failure";
    case 32: return "Instruction Abort from a lower Exception level";
    case 33: return "Instruction Abort taken without a change in Exception level";
    case 34: return "PC alignment fault exception";
    case 36: return "Data Abort from a lower Exception level";
    case 37: return "Data Abort taken without a change in Exception level";
    case 38: return "SP alignment faultr exception";
    case 40: return "Trapped floating-point exception taken from AArch32 state";
    case 44: return "Trapped floating-point exception taken from AArch64 state";
    case 47: return "SError interrupt";
    case 48: return "Breakpoint exception from a lower Exception level";
    case 49: return "Breakpoint exception taken without a change in Exception level";
    case 50: return "Software Step exception from a lower Exception level";
    case 51: return "Software Step exception taken without a change in Exception level";
    case 52: return "Watchpoint exception from a lower Exception level";
    case 53: return "Watchpoint exception taken without a change in Exception level";
    case 56: return "BKPT instruction execution in AArch32 state";
    case 60: return "BRK instruction execution in AArch64 state";
    default: return "<invalid EC>";
    }
}

/* Data fault status code (DFSC, ISS bits 5..0), Microkit's texts. */
static const char *fault_status_name(seL4_Word fsc)
{
    switch (fsc) {
    case 0x00: return "address size fault, level 0";
    case 0x01: return "address size fault, level 1";
    case 0x02: return "address size fault, level 2";
    case 0x03: return "address size fault, level 3";
    case 0x04: return "translation fault, level 0";
    case 0x05: return "translation fault, level 1";
    case 0x06: return "translation fault, level 2";
    case 0x07: return "translation fault, level 3";
    case 0x09: return "access flag fault, level 1";
    case 0x0a: return "access flag fault, level 2";
    case 0x0b: return "access flag fault, level 3";
    case 0x0d: return "permission fault, level 1";
    case 0x0e: return "permission fault, level 2";
    case 0x0f: return "permission fault, level 3";
    case 0x10: return "synchronuos external abort";
    case 0x11: return "synchronous tag check fault";
    case 0x14: return "synchronous external abort, level 0";
    case 0x15: return "synchronous external abort, level 1";
    case 0x16: return "synchronous external abort, level 2";
    case 0x17: return "synchronous external abort, level 3";
    case 0x18: return "synchronous parity or ECC error";
    case 0x1c: return "synchronous parity or ECC error, level 0";
    case 0x1d: return "synchronous parity or ECC error, level 1";
    case 0x1e: return "synchronous parity or ECC error, level 2";
    case 0x1f: return "synchronous parity or ECC error, level 3";
    case 0x21: return "alignment fault";
    case 0x30: return "tlb conflict abort";
    case 0x31: return "unsupported atomic hardware update fault";
    default: return "<unexpected DFSC>";
    }
}

/* "MON|ERROR:   ec: 0x…  <class>   il: N   iss: 0x…" */
static void print_syndrome(seL4_Word esr)
{
    out_str("MON|ERROR:   ec: ");
    out_hex32(ESR_EC(esr));
    out_str("  ");
    out_str(ec_name(ESR_EC(esr)));
    out_str("   il: ");
    out_char(ESR_IL(esr) ? '1' : '0');
    out_str("   iss: ");
    out_hex32(ESR_ISS(esr));
    out_str("\n");
}

/*
 * clang -fsanitize=... -fsanitize-trap emits "brk #(0x5500 | check)"; the check numbers
 * follow clang's SanitizerHandler list (clang 16).
 */
#define UBSAN_BRK_BASE 0x5500
static const char *const ubsan_checks[] = {
    "add overflow",
    "builtin unreachable",
    "control-flow-integrity check fail",
    "division remainder overflow",
    "dynamic type cache miss",
    "float case overflow",
    "function type mismatch",
    "implicit conversion",
    "invalid builtin",
    "invalid objc cast",
    "load invalid value",
    "missing return",
    "multiplication overflow",
    "negate overflow",
    "nullability argument",
    "nullability return",
    "non-null argument",
    "non-null return",
    "out of bounds access",
    "pointer overflow",
    "shift out of bounds",
    "subtraction overflow",
    "type mismatch",
    "alignment assumption",
    "variable-length-array bound not positive",
};

/* ---- Fault reports ------------------------------------------------------------------------ */

/*
 * The fault message is copied out of the IPC buffer before TCB_ReadRegisters, whose
 * 36-word reply overwrites msg[4..] (CapFault and UnknownSyscall use those words).
 */
#define FAULT_MRS_MAX seL4_UnknownSyscall_Length
static seL4_Word fault_mrs[FAULT_MRS_MAX];

static void report_cap_fault(void)
{
    seL4_Word type = fault_mrs[seL4_CapFault_LookupFailureType];
    out_str("MON|ERROR: CapFault: ip=");
    out_hex64(fault_mrs[seL4_CapFault_IP]);
    out_str("  fault_addr=");
    out_hex64(fault_mrs[seL4_CapFault_Addr]);
    out_str("  in_recv_phase=");
    out_str(fault_mrs[seL4_CapFault_InRecvPhase] ? "true" : "false");
    out_str("  lookup_failure_type=");
    switch (type) {
    case seL4_NoFailure: out_str("seL4_NoFailure"); break;
    case seL4_InvalidRoot: out_str("seL4_InvalidRoot"); break;
    case seL4_MissingCapability: out_str("seL4_MissingCapability"); break;
    case seL4_DepthMismatch: out_str("seL4_DepthMismatch"); break;
    case seL4_GuardMismatch: out_str("seL4_GuardMismatch"); break;
    default: out_hex64(type); break;
    }
    if (type == seL4_MissingCapability || type == seL4_DepthMismatch || type == seL4_GuardMismatch) {
        out_str("  bits_left=");
        out_hex64(fault_mrs[seL4_CapFault_BitsLeft]);
    }
    if (type == seL4_DepthMismatch) {
        out_str("  depth_bits_found=");
        out_hex64(fault_mrs[seL4_CapFault_DepthMismatch_BitsFound]);
    }
    if (type == seL4_GuardMismatch) {
        out_str("  guard_found=");
        out_hex64(fault_mrs[seL4_CapFault_GuardMismatch_GuardFound]);
        out_str("  guard_bits_found=");
        out_hex64(fault_mrs[seL4_CapFault_GuardMismatch_BitsFound]);
    }
    out_str("\n");
}

static void report_unknown_syscall(void)
{
    out_str("MON|ERROR: UnknownSyscall: ip=");
    out_hex64(fault_mrs[seL4_UnknownSyscall_FaultIP]);
    out_str("  sp=");
    out_hex64(fault_mrs[seL4_UnknownSyscall_SP]);
    out_str("  lr=");
    out_hex64(fault_mrs[seL4_UnknownSyscall_LR]);
    out_str("  spsr=");
    out_hex64(fault_mrs[seL4_UnknownSyscall_SPSR]);
    out_str("  syscall=");
    out_sdec(fault_mrs[seL4_UnknownSyscall_Syscall]);
    out_str("\n");
}

/* Microkit prints no detail of a user exception. */
static void report_user_exception(void)
{
    out_str("MON|ERROR: UserException\n");
}

static void report_debug_exception(void)
{
    seL4_Word reason = fault_mrs[seL4_DebugException_ExceptionReason];
    out_str("MON|ERROR: DebugException: ip=");
    out_hex64(fault_mrs[seL4_DebugException_FaultIP]);
    out_str("  reason=");
    switch (reason) {
    case seL4_DataBreakpoint: out_str("watchpoint"); break;
    case seL4_InstructionBreakpoint: out_str("instruction breakpoint"); break;
    case seL4_SingleStep: out_str("single step"); break;
    case seL4_SoftwareBreakRequest: out_str("software break request (BRK)"); break;
    default: out_hex64(reason); break;
    }
    if (reason == seL4_DataBreakpoint || reason == seL4_InstructionBreakpoint) {
        out_str("  trigger_addr=");
        out_hex64(fault_mrs[seL4_DebugException_TriggerAddress]);
        out_str("  breakpoint=");
        out_udec(fault_mrs[seL4_DebugException_BreakpointNumber]);
    }
    out_str("\n");
}

static void report_timeout(seL4_Word length)
{
    out_str("MON|ERROR: Timeout: sc_badge=");
    out_hex64(fault_mrs[seL4_Timeout_Data]);
    if (length > seL4_Timeout_Consumed) {
        out_str("  consumed=");
        out_udec(fault_mrs[seL4_Timeout_Consumed]);
        out_str(" us");
    }
    out_str("\n");
}

static void report_vm_fault(seL4_Word pd_id)
{
    seL4_Word ip = fault_mrs[seL4_VMFault_IP];
    seL4_Word addr = fault_mrs[seL4_VMFault_Addr];
    seL4_Word is_instruction = fault_mrs[seL4_VMFault_PrefetchFault];
    seL4_Word fsr = fault_mrs[seL4_VMFault_FSR];
    seL4_Word ec = ESR_EC(fsr);
    seL4_Word iss = ESR_ISS(fsr);
    seL4_Word stack_bottom = pd_stack_bottom_addrs[pd_id];

    out_str("MON|ERROR: VMFault: ip=");
    out_hex64(ip);
    out_str("  fault_addr=");
    out_hex64(addr);
    out_str("  fsr=");
    out_hex64(fsr);
    out_str(is_instruction ? "  (instruction fault)\n" : "  (data fault)\n");
    print_syndrome(fsr);

    if (ec == EC_DATA_ABORT_LOWER) {
        /* ISS of a data abort: EA bit 9, CM bit 8, S1PTW bit 7, WnR bit 6, DFSC bits 5..0. */
        out_str("MON|ERROR:   dfsc = ");
        out_str(fault_status_name(iss & 0x3f));
        out_str(" (");
        out_hex32(iss & 0x3f);
        out_str(")");
        if (iss & (1UL << 9)) {
            out_str(" -- external abort");
        }
        if (iss & (1UL << 8)) {
            out_str(" -- cache maint");
        }
        if (iss & (1UL << 7)) {
            out_str(" -- stage 2 fault for stage 1 page table walk");
        }
        if (iss & (1UL << 6)) {
            out_str(" -- write not read");
        }
        out_str("\n");
    }

    /* The guard page below the stack is never mapped: a fault there is an overflow. */
    if (addr < stack_bottom && addr >= stack_bottom - PAGE_SIZE) {
        out_str("MON|ERROR: potential stack overflow, fault address within one page outside of stack region\n");
    }
}

static void report_vcpu_fault(void)
{
    seL4_Word esr = fault_mrs[seL4_VCPUFault_HSR];
    seL4_Word imm = esr & 0xffff; /* the BRK immediate */
    seL4_Word check = imm & 0xff;
    out_str("MON|ERROR: received vCPU fault with ESR: ");
    out_hex64(esr);
    out_str("\n");
    if (ESR_EC(esr) == EC_BRK && (imm & 0xff00) == UBSAN_BRK_BASE) {
        out_str("MON|ERROR: potential undefined behaviour detected by UBSAN for: '");
        out_str(check < sizeof(ubsan_checks) / sizeof(ubsan_checks[0]) ? ubsan_checks[check] : "unknown reason");
        out_str("'\n");
    } else {
        out_str("MON|ERROR: Unknown vCPU fault\n");
    }
}

static void report_fault(seL4_MessageInfo_t tag, seL4_Word badge)
{
    seL4_Word label = seL4_MessageInfo_get_label(tag);
    seL4_Word length = seL4_MessageInfo_get_length(tag);
    seL4_Word pd_id = badge - 1;
    seL4_Word tcb_cap = BASE_PD_TCB_CAP + pd_id;
    seL4_UserContext regs;
    seL4_Error err;

    for (seL4_Word i = 0; i < FAULT_MRS_MAX; i++) {
        fault_mrs[i] = i < length ? seL4_GetMR((int)i) : 0;
    }

    out_str("MON|ERROR: received message ");
    out_hex32(label);
    out_str("  badge: ");
    out_hex64(badge);
    out_str("  tcb cap: ");
    out_hex64(tcb_cap);
    out_str("\n");

    if (pd_id >= MAX_PDS || pd_names[pd_id][0] == '\0') {
        /* Not from one of our PDs: there is no TCB to inspect. */
        out_str("MON|ERROR: unknown/invalid badge\n");
        return;
    }
    out_str("MON|ERROR: faulting PD: ");
    out_name(pd_names[pd_id]);
    out_str("\n");

    err = seL4_TCB_ReadRegisters(tcb_cap, seL4_False, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err == seL4_NoError) {
        print_registers(&regs);
    } else {
        out_str("MON|ERROR: could not read the registers: ");
        out_str(error_name(err));
        out_str("\n");
    }

    switch (label) {
    case seL4_Fault_CapFault: report_cap_fault(); break;
    case seL4_Fault_UnknownSyscall: report_unknown_syscall(); break;
    case seL4_Fault_UserException: report_user_exception(); break;
    case seL4_Fault_DebugException: report_debug_exception(); break;
    case seL4_Fault_Timeout: report_timeout(length); break;
    case seL4_Fault_VMFault: report_vm_fault(pd_id); break;
    case seL4_Fault_VCPUFault: report_vcpu_fault(); break;
    default:
        out_str("MON|ERROR: Unknown fault, label ");
        out_hex64(label);
        out_str("\n");
        break;
    }
}

#else /* !CONFIG_PRINTING: release prints nothing */

static void out_str(const char *s)
{
    (void)s;
}

static void out_name(const char *name)
{
    (void)name;
}

static void report_fault(seL4_MessageInfo_t tag, seL4_Word badge)
{
    (void)tag;
    (void)badge;
}

#endif /* CONFIG_PRINTING */

/* Passive PD `pd_id` asked for its scheduling context to be handed to its notification. */
static void make_passive(seL4_Word pd_id)
{
    seL4_Error err = seL4_SchedContext_Bind(BASE_SCHED_CONTEXT_CAP + pd_id, BASE_NOTIFICATION_CAP + pd_id);
    if (err != seL4_NoError) {
        out_str("MON|ERROR: could not bind scheduling context to notification object\n");
        return;
    }
    out_str("MON|INFO: PD '");
    out_name(pd_names[pd_id]);
    out_str("' is now passive!\n");
}

int main(void)
{
#if defined(CONFIG_DEBUG_BUILD)
    /* Name the threads, for the kernel's own messages and scheduler dumps. */
    for (seL4_Word i = 0; i < pd_names_len && i < MAX_PDS; i++) {
        seL4_DebugNameThread(BASE_PD_TCB_CAP + i, pd_names[i]);
    }
    for (seL4_Word i = 0; i < vm_names_len && i < MAX_VMS; i++) {
        seL4_DebugNameThread(BASE_VM_TCB_CAP + i, vm_names[i]);
    }
#endif

    out_str("MON|INFO: Microkit Monitor started!\n");

    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t tag = seL4_Recv(FAULT_EP_CAP, &badge, REPLY_CAP);
        seL4_Word pd_id = badge - 1;

        if (seL4_MessageInfo_get_label(tag) == seL4_Fault_NullFault && pd_id < MAX_PDS) {
            make_passive(pd_id);
        } else {
            report_fault(tag, badge);
        }
        /* No reply: a faulting PD stays blocked. */
    }
}
