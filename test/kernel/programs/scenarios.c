/*
 * EL0 programs for the kernel model's scenario tests (test/kernel-scenarios.test.ts). One ELF
 * holds every role; the test starts each thread with x0 = its role and x1 = a parameter.
 * It speaks the seL4 MCS AArch64 system-call ABI directly, without libsel4.
 *
 * Every thread gets the same CSpace layout from the test:
 *   1 its input (endpoint or notification), 2 a peer's notification, 3 a peer's endpoint,
 *   4 its reply object, 5-7 badged notification caps, 8 a fault endpoint, 9 a private
 *   notification to park on, 10 its CNode (guard 0: depth 4), 11 a cap to revoke or delete,
 *   12 empty, 13 an IRQ handler.
 */
typedef unsigned long word;

enum {
  SysCall = -1, SysReplyRecv = -2, SysNBSendRecv = -3, SysNBSendWait = -4, SysSend = -5,
  SysNBSend = -6, SysRecv = -7, SysNBRecv = -8, SysWait = -9, SysNBWait = -10, SysYield = -11,
  SysDebugPutChar = -12, SysDebugDumpScheduler = -13, SysDebugHalt = -14, SysDebugCapIdentify = -15,
};

#define IPC_BUFFER ((volatile word *)0xfffffff000UL)
#define MR(i) IPC_BUFFER[(i) + 1]

struct regs {
  word x0, x1, x2, x3, x4, x5, x6, x8;
};

static void syscall(long number, struct regs *r) {
  register word x0 __asm__("x0") = r->x0;
  register word x1 __asm__("x1") = r->x1;
  register word x2 __asm__("x2") = r->x2;
  register word x3 __asm__("x3") = r->x3;
  register word x4 __asm__("x4") = r->x4;
  register word x5 __asm__("x5") = r->x5;
  register word x6 __asm__("x6") = r->x6;
  register word x8 __asm__("x8") = r->x8;
  register long x7 __asm__("x7") = number;
  __asm__ volatile("svc #0"
                   : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x8)
                   : "r"(x7)
                   : "memory");
  r->x0 = x0, r->x1 = x1, r->x2 = x2, r->x3 = x3, r->x4 = x4, r->x5 = x5, r->x6 = x6, r->x8 = x8;
}

/* The compiler may turn struct initialisers into memset calls. */
void *memset(void *d, int c, unsigned long n) {
  volatile unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

static word info(word label, word length) { return label << 12 | length; }

static void putc_(char c) {
  struct regs r = {.x0 = (word)c};
  syscall(SysDebugPutChar, &r);
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void putdec(word v) {
  char buf[24];
  int n = 0;
  do buf[n++] = '0' + v % 10, v /= 10; while (v);
  while (n) putc_(buf[--n]);
}
static void puthex(word v) {
  puts_("0x");
  int started = 0;
  for (int i = 60; i >= 0; i -= 4) {
    int d = (v >> i) & 15;
    if (d || started || i == 0) putc_("0123456789abcdef"[d]), started = 1;
  }
}

static void signal_(word cap) {
  struct regs r = {.x0 = cap};
  syscall(SysSend, &r);
}
static word wait_(word cap) {
  struct regs r = {.x0 = cap};
  syscall(SysWait, &r);
  return r.x0;
}
static word poll_(word cap) {
  struct regs r = {.x0 = cap};
  syscall(SysNBWait, &r);
  return r.x0;
}
static void park(void) {
  for (;;) wait_(9);
}

/* Copy MR0-MR3 between registers and the IPC buffer, as libsel4 does. */
static void load_mrs(struct regs *r) { r->x2 = MR(0), r->x3 = MR(1), r->x4 = MR(2), r->x5 = MR(3); }
static void store_mrs(struct regs *r) { MR(0) = r->x2, MR(1) = r->x3, MR(2) = r->x4, MR(3) = r->x5; }

static word label_of(word info) { return info >> 12; }
static word length_of(word info) { return info & 0x7f; }

/* Ping-pong over two notifications. */
static void ping(word rounds) {
  for (word i = 0; i < rounds; i++) {
    puts_("ping "), putdec(i), putc_('\n');
    signal_(2);
    wait_(1);
  }
  puts_("ping done\n");
}
static void pong(word rounds) {
  for (word i = 0; i < rounds; i++) {
    wait_(1);
    puts_("pong "), putdec(i), putc_('\n');
    signal_(2);
  }
}

/* A call with n message registers: MRk = 11 k. */
static void client(word n) {
  for (word i = 0; i < n; i++) MR(i) = 11 * i;
  struct regs r = {.x0 = 3, .x1 = info(7, n)};
  load_mrs(&r);
  syscall(SysCall, &r);
  store_mrs(&r);
  word len = length_of(r.x1), sum = 0;
  for (word i = 0; i < len; i++) sum += MR(i);
  puts_("client: reply label "), putdec(label_of(r.x1)), puts_(" length "), putdec(len), puts_(" sum "), putdec(sum);
  puts_(" badge "), putdec(r.x0), putc_('\n');
}

/* Serve calls: reply with label 9 and MRk = 2 * (received MRk) + 1 for as many words. */
static void server(word rounds) {
  struct regs r = {.x0 = 1, .x6 = 4};
  syscall(SysRecv, &r);
  for (word round = 0;; round++) {
    store_mrs(&r);
    word len = length_of(r.x1), sum = 0;
    for (word i = 0; i < len; i++) sum += MR(i);
    puts_("server: badge "), puthex(r.x0), puts_(" label "), putdec(label_of(r.x1)), puts_(" length "), putdec(len);
    puts_(" sum "), putdec(sum), putc_('\n');
    for (word i = 0; i < len; i++) MR(i) = 2 * MR(i) + 1;
    if (round + 1 == rounds) {
      struct regs reply = {.x0 = 4, .x1 = info(9, len)};
      load_mrs(&reply);
      syscall(SysSend, &reply); /* invoking the reply cap answers the caller */
      park();
    }
    r = (struct regs){.x0 = 1, .x1 = info(9, len), .x6 = 4};
    load_mrs(&r);
    syscall(SysReplyRecv, &r);
  }
}

/* Three signals with badges 1, 2, 4 before the waiter runs. */
static void signaler(void) {
  signal_(5), signal_(6), signal_(7);
  puts_("signaled\n");
}
static void waiter(void) {
  word w = wait_(1);
  puts_("waiter: "), putdec(w);
  puts_(" then "), putdec(poll_(1)), putc_('\n');
}

/* Send one message with MR0 = id, then park. */
static void sender(word id) {
  struct regs r = {.x0 = 3, .x1 = info(0, 1), .x2 = id};
  syscall(SysSend, &r);
  park();
}
static void receiver(word n) {
  for (word i = 0; i < n; i++) {
    struct regs r = {.x0 = 1, .x6 = 4};
    syscall(SysRecv, &r);
    puts_("received "), putdec(r.x2), puts_(" badge "), putdec(r.x0), putc_('\n');
  }
}

/* Blocks receiving on slot 1 and reports how the receive ended. */
static void blocked_receiver(void) {
  struct regs r = {.x0 = 1, .x6 = 4};
  syscall(SysRecv, &r);
  puts_("blocked receiver woke\n");
}

static void fault(word kind) {
  switch (kind) {
    case 0:
      __asm__ volatile("mov x1, #0x10\n mov x2, #1\n str x2, [x1]" ::: "x1", "x2", "memory");
      puts_("faulter: store retried\n");
      break;
    case 1:
      __asm__ volatile(".word 0");
      break;
    case 2: {
      struct regs r = {.x0 = 0x1234};
      syscall(5, &r);
      puts_("faulter: resumed after unknown syscall, x0 "), puthex(r.x0), puts_(" x1 "), puthex(r.x1), putc_('\n');
      break;
    }
    case 3:
      __asm__ volatile("brk #7");
      break;
    case 4: {
      struct regs r = {.x0 = 12, .x1 = info(1, 0)};
      syscall(SysCall, &r);
      puts_("faulter: call of an empty slot: error "), putdec(label_of(r.x1)), puts_(" MR0 "), putdec(r.x2), putc_('\n');
      break;
    }
    case 5: {
      struct regs r = {.x0 = 1UL << 40};
      syscall(SysSend, &r);
      puts_("faulter: send retried\n");
      break;
    }
  }
  park();
}

/* Receive faults on slot 1 and print them; reply to UnknownSyscall so it skips the SVC. */
/*
 * Receive `param & 0xff` faults and print each message. An UnknownSyscall is answered so the
 * thread resumes: with all 12 registers, or (param bit 8) with a reply of 9 words whose 10th
 * message register holds a bad SP, which the kernel must not write back (it copies
 * MIN(length, registers)).
 */
static void fault_handler(word param) {
  word count = param & 0xff, short_reply = (param >> 8) & 1;
  for (word n = 0; n < count; n++) {
    struct regs r = {.x0 = 1, .x6 = 4};
    syscall(SysRecv, &r);
    store_mrs(&r);
    word label = label_of(r.x1), len = length_of(r.x1);
    puts_("fault: badge "), putdec(r.x0), puts_(" label "), putdec(label), puts_(" length "), putdec(len), puts_(" mrs");
    for (word i = 0; i < len; i++) putc_(' '), puthex(MR(i));
    putc_('\n');
    if (label == 2) {
      /* UnknownSyscall: resume after the SVC (MR8 = FaultIP + 4) with x0 = 0x77, x1 = 0x88. */
      MR(0) = 0x77;
      MR(1) = 0x88;
      MR(8) += 4;
      if (short_reply) MR(9) = 0xdead0000;
      struct regs reply = {.x0 = 4, .x1 = info(0, short_reply ? 9 : 12)};
      load_mrs(&reply);
      syscall(SysSend, &reply);
    }
  }
  park();
}

/* Spin forever, printing `c` every `every` iterations. */
static void spin(word c) {
  for (volatile word i = 0;; i++)
    if (i % 20000 == 0) putc_((char)c);
}

/* Registers x9-x28 survive a system call. */
static void regs(void) {
  word sum;
  __asm__ volatile(
      "mov x9, #9\n mov x10, #10\n mov x11, #11\n mov x12, #12\n mov x13, #13\n mov x14, #14\n"
      "mov x15, #15\n mov x16, #16\n mov x17, #17\n mov x18, #18\n mov x19, #19\n mov x20, #20\n"
      "mov x21, #21\n mov x22, #22\n mov x23, #23\n mov x24, #24\n mov x25, #25\n mov x26, #26\n"
      "mov x27, #27\n mov x28, #28\n mov x6, #6\n mov x8, #8\n"
      "mov x7, #-12\n mov x0, #'r'\n svc #0\n"
      "add %0, x9, x10\n add %0, %0, x11\n add %0, %0, x12\n add %0, %0, x13\n add %0, %0, x14\n"
      "add %0, %0, x15\n add %0, %0, x16\n add %0, %0, x17\n add %0, %0, x18\n add %0, %0, x19\n"
      "add %0, %0, x20\n add %0, %0, x21\n add %0, %0, x22\n add %0, %0, x23\n add %0, %0, x24\n"
      "add %0, %0, x25\n add %0, %0, x26\n add %0, %0, x27\n add %0, %0, x28\n add %0, %0, x6\n add %0, %0, x8\n"
      : "=&r"(sum)
      :
      : "x0", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
        "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "memory");
  puts_(" sum "), putdec(sum), putc_('\n');
  struct regs r = {.x0 = 10};
  syscall(SysDebugCapIdentify, &r);
  puts_("slot 10 holds cap type "), putdec(r.x0), putc_('\n');
}

/* Delete (param 0) or revoke (param 1) the cap in slot 11 of the CNode in slot 10. */
static void deleter(word revoke) {
  struct regs r = {.x0 = 10, .x1 = info(revoke ? 22 : 23, 2), .x2 = 11, .x3 = 4};
  syscall(SysCall, &r);
  puts_(revoke ? "revoked" : "deleted"), puts_(": error "), putdec(label_of(r.x1)), putc_('\n');
}

/* A timer driver: the EL1 physical timer (PPI 30) through the notification in slot 1 and the IRQ handler in slot 13. */
static void timer(word ticks) {
  for (word i = 0; i < ticks; i++) {
    __asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(62500UL), "r"(1UL));
    word badge = wait_(1);
    word now;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(now));
    __asm__ volatile("msr cntp_ctl_el0, %0; isb" ::"r"(0UL)); /* the level-sensitive line drops */
    puts_("tick "), putdec(i), puts_(" badge "), putdec(badge), puts_(" at "), putdec(now / 62500), puts_(" ms\n");
    struct regs r = {.x0 = 13, .x1 = info(31, 0)}; /* IRQHandler_Ack in the debug configuration */
    syscall(SysCall, &r);
    if (label_of(r.x1)) puts_("ack failed\n");
  }
}

/* Random system calls with random arguments on the caps in slots 0-15. */
static word rng;
static word rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}
static void fuzz(word seed) {
  rng = seed * 2654435761UL + 1;
  for (word n = 0; n < 4000; n++) {
    /* Mostly invocations of kernel objects; also every other API call, debug calls, one unknown. */
    static const long mix[] = {SysCall, SysCall, SysCall, SysCall, SysCall, SysNBSend, SysNBSend, SysNBRecv,
                               SysNBWait, SysNBSendRecv, SysNBSendWait, SysReplyRecv, SysSend, SysRecv, SysWait,
                               SysYield, SysDebugPutChar, SysDebugCapIdentify, SysDebugDumpScheduler, 3};
    long number = mix[rnd() % (sizeof mix / sizeof mix[0])];
    struct regs r;
    word *w = (word *)&r;
    for (int i = 0; i < 8; i++) w[i] = rnd() % 16 ? rnd() % 16 : rnd();
    static const word objects[] = {5, 7, 10, 12, 2, 4, 6};
    if (rnd() % 2) r.x0 = objects[rnd() % (sizeof objects / sizeof objects[0])];
    r.x1 = (rnd() % 48) << 12 | (rnd() % 4) << 7 | rnd() % 10;
    for (int i = 0; i < 3; i++) IPC_BUFFER[122 + i] = rnd() % 16;
    for (int i = 0; i < 12; i++) MR(i) = rnd() % 3 ? rnd() % 64 : rnd();
    IPC_BUFFER[125] = 10, IPC_BUFFER[126] = rnd() % 16, IPC_BUFFER[127] = 4;
    syscall(number, &r);
  }
  puts_("fuzz done\n");
}

/* Print `c` and yield, `param` times. */
static void yielder(word c) {
  for (int i = 0; i < 4; i++) {
    putc_((char)c);
    struct regs r = {0};
    syscall(SysYield, &r);
  }
}

/* Name itself (its TCB is in slot 11), dump the scheduler, halt. */
static void debug(void) {
  const char *name = "debugger";
  char *dst = (char *)&MR(0);
  while ((*dst++ = *name++)) {
  }
  struct regs r = {.x0 = 11};
  syscall(-17, &r);
  syscall(SysDebugDumpScheduler, &r);
  syscall(SysDebugHalt, &r);
  puts_("not halted\n");
}

/* A benchmark client: `n` calls with two message registers in and one out, then a count. */
static void call_loop(word n) {
  word sum = 0;
  for (word i = 0; i < n; i++) {
    struct regs r = {.x0 = 3, .x1 = info(0, 2), .x2 = i, .x3 = 1};
    syscall(SysCall, &r);
    sum += r.x2;
  }
  puts_("calls done "), putdec(sum), putc_('\n');
}

/* The matching server: reply with MR0 + MR1, forever. */
static void echo_server(void) {
  struct regs r = {.x0 = 1, .x6 = 4};
  syscall(SysRecv, &r);
  for (;;) {
    word v = r.x2 + r.x3;
    r = (struct regs){.x0 = 1, .x1 = info(0, 1), .x2 = v, .x6 = 4};
    syscall(SysReplyRecv, &r);
  }
}

/* Signal slot 2 `n` times (a notification to an equal-priority waiter), then print. */
static void signal_loop(word n) {
  for (word i = 0; i < n; i++) signal_(2);
  puts_("signals done\n");
}
static void wait_loop(void) {
  for (word n = 0;; n++) wait_(1);
}

/* Call slot 3 with two caps: the notification in slot 2 (transferred) and the endpoint in
 * slot 3 itself (unwrapped to its badge); then wait for the server's signal on slot 2. */
static void cap_client(void) {
  IPC_BUFFER[122] = 2, IPC_BUFFER[123] = 3;
  struct regs r = {.x0 = 3, .x1 = 5UL << 12 | 2 << 7 | 0};
  syscall(SysCall, &r);
  puts_("cap client: reply label "), putdec(label_of(r.x1)), puts_(", signal "), putdec(wait_(2)), putc_('\n');
}

/* Receive caps into slot 12 of its CNode (slot 10), report them, signal through the new cap, reply. */
static void cap_server(void) {
  IPC_BUFFER[125] = 10, IPC_BUFFER[126] = 12, IPC_BUFFER[127] = 4;
  struct regs r = {.x0 = 1, .x6 = 4};
  syscall(SysRecv, &r);
  puts_("cap server: extraCaps "), putdec((r.x1 >> 7) & 3), puts_(" unwrapped "), putdec((r.x1 >> 9) & 7);
  puts_(" badge[1] "), putdec(IPC_BUFFER[123]);
  struct regs id = {.x0 = 12};
  syscall(SysDebugCapIdentify, &id);
  puts_(" slot 12 type "), putdec(id.x0), putc_('\n');
  signal_(12);
  struct regs reply = {.x0 = 4, .x1 = info(6, 0)};
  syscall(SysSend, &reply);
}

void main(word role, word param) {
  switch (role) {
    case 1: ping(param); break;
    case 2: pong(param); break;
    case 3: client(param); break;
    case 4: server(param); break;
    case 5: signaler(); break;
    case 6: waiter(); break;
    case 7: sender(param); break;
    case 8: receiver(param); break;
    case 9: fault(param); break;
    case 10: fault_handler(param); break;
    case 11: spin(param); break;
    case 12: regs(); break;
    case 13: blocked_receiver(); break;
    case 14: deleter(param); break;
    case 15: timer(param); break;
    case 16: fuzz(param); break;
    case 17: yielder(param); break;
    case 18: debug(); break;
    case 19: call_loop(param); break;
    case 20: echo_server(); break;
    case 21: signal_loop(param); break;
    case 22: wait_loop(); break;
    case 23: cap_client(); break;
    case 24: cap_server(); break;
  }
  park();
}

__asm__(".global _start\n_start:\n b main\n");
