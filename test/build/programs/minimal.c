/*
 * Minimal programs for the build pipeline's tests (test/build-run.test.ts), written without
 * the sdk so the pipeline is tested on its own: a PD with the symbols the build patches, and a
 * monitor with the monitor's tables. Built with -DMONITOR for the monitor.
 */
typedef unsigned long word;

static void putc_(char c) {
  register word x0 __asm__("x0") = (word)c;
  register long x7 __asm__("x7") = -12;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x7) : "memory");
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void puthex(word v) {
  puts_("0x");
  for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}
/* Recv on slot 1 with the reply object in `reply`: returns the badge, the label in *label. */
static word recv(word reply, word *label) {
  register word x0 __asm__("x0") = 1;
  register word x1 __asm__("x1") = 0;
  register word x6 __asm__("x6") = reply;
  register long x7 __asm__("x7") = -7;
  __asm__ volatile("svc #0" : "+r"(x0), "+r"(x1), "+r"(x6) : "r"(x7) : "x2", "x3", "x4", "x5", "memory");
  *label = x1 >> 12;
  return x0;
}

#ifdef MONITOR
word pd_names_len;
char pd_names[64][64];
word pd_stack_bottom_addrs[64];

void main(void) {
  puts_("monitor: ");
  for (word i = 0; i < pd_names_len; i++) puts_(pd_names[i]), putc_(' ');
  putc_('\n');
  for (;;) {
    word label;
    word badge = recv(2, &label);
    puts_("monitor: fault from "), puts_(pd_names[badge - 1]), puts_(" label "), puthex(label), putc_('\n');
  }
}
#else
char microkit_name[64];
unsigned char microkit_passive;
word microkit_irqs, microkit_notifications, microkit_pps, microkit_ioports;
word answer;        /* setvar'd */
word region_vaddr;  /* setvar_vaddr of a map */

void main(void) {
  puts_("hello from "), puts_(microkit_name), puts_(" answer "), puthex(answer), puts_(" region "), puthex(region_vaddr), putc_('\n');
  puts_("notifications "), puthex(microkit_notifications), puts_(" pps "), puthex(microkit_pps), putc_('\n');
  if (region_vaddr) {
    *(volatile word *)region_vaddr = 0x1234;
    puts_("wrote the region\n");
  }
  if (answer == 13) *(volatile word *)0 = 1; /* a deliberate fault */
  for (;;) {
    word label;
    recv(4, &label);
  }
}
#endif

__asm__(".section .text.start\n.global _start\n_start:\n b main\n.text\n");
