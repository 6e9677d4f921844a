/*
 * An EL0 program for the machine model's end-to-end test (test/machine-e2e.test.ts). It runs
 * over the minimal test kernel in that test, which maps the PL011 at UART_VA and offers three
 * system calls (number in x7, argument and result in x0).
 */
#define UART_VA 0x10000000UL
#define UARTDR 0x00
#define UARTFR 0x18
#define FR_TXFF (1u << 5)

enum { SYS_WAIT_TICK = 1, SYS_REPORT = 2 };

static volatile unsigned int *const uart = (volatile unsigned int *)UART_VA;

static long sys(long number, long arg) {
  register long x0 __asm__("x0") = arg;
  register long x7 __asm__("x7") = number;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x7) : "memory");
  return x0;
}

static void put(const char *s) {
  for (; *s; s++) {
    while (uart[UARTFR / 4] & FR_TXFF) {
    }
    uart[UARTDR / 4] = (unsigned char)*s;
  }
}

static unsigned long counter(void) {
  unsigned long v;
  __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
  return v;
}

/* .data and .bss, to check the loader. */
int table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
int zeroes[64];

void _start(void) {
  put("hello from EL0\n");

  /* Three ticks of the kernel's EL2 timer. */
  for (int i = 0; i < 3; i++) sys(SYS_REPORT, sys(SYS_WAIT_TICK, 0));

  /* The EL1 physical timer, programmed from EL0, wakes a WFI 1000 ticks later. */
  unsigned long start = counter();
  __asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(1000UL), "r"(1UL));
  __asm__ volatile("wfi");
  sys(SYS_REPORT, (long)start);

  int sum = 0;
  zeroes[63] = 100;
  for (int i = 0; i < 8; i++) sum += table[i] + zeroes[i * 8 + 7];
  sys(SYS_REPORT, sum);

  put("bye\n");
  *(volatile int *)0x7000000 = sum; /* nothing is mapped there */
  for (;;) {
  }
}
