#include "rt.h"

__asm__(".text\n.globl _start\n.type _start,%function\n_start:\n"
        "  mov x29, #0\n  mov x30, #0\n  bl rt_start\n  brk #0\n");

static long sys3(long nr, long a, long b, long c) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}

void rt_start(void) __attribute__((noreturn, used));
void rt_start(void) {
  int r = main();
  sys3(94, r, 0, 0);
  for (;;) {}
}

void put(const char *s) {
  usize n = 0;
  while (s[n]) n++;
  sys3(64, 1, (long)s, (long)n);
}

void put_hex(u64 v) {
  char b[19];
  b[0] = '0';
  b[1] = 'x';
  for (int i = 0; i < 16; i++) b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
  b[18] = 0;
  put(b);
}

void put_dec(i64 v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  u64 u = v < 0 ? -(u64)v : (u64)v;
  do {
    b[--i] = '0' + (u % 10);
    u /= 10;
  } while (u);
  if (v < 0) b[--i] = '-';
  put(b + i);
}

void show(const char *name, u64 v) {
  put(name);
  put(" = ");
  put_hex(v);
  put("\n");
}

void show_f64(const char *name, double v) {
  u64 bits;
  memcpy(&bits, &v, 8);
  show(name, bits);
}

void show_f32(const char *name, float v) {
  u32 bits;
  memcpy(&bits, &v, 4);
  show(name, bits);
}

u64 fp_status(void) {
  u64 v;
  __asm__ volatile("mrs %0, fpsr" : "=r"(v));
  return v;
}

void clear_fpsr(void) { __asm__ volatile("msr fpsr, xzr"); }
void set_fpcr(u64 v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }

void *memcpy(void *d, const void *s, usize n) {
  u8 *dd = d;
  const u8 *ss = s;
  for (usize i = 0; i < n; i++) dd[i] = ss[i];
  return d;
}
void *memset(void *d, int c, usize n) {
  u8 *dd = d;
  for (usize i = 0; i < n; i++) dd[i] = (u8)c;
  return d;
}
void *memmove(void *d, const void *s, usize n) {
  u8 *dd = d;
  const u8 *ss = s;
  if (dd < ss)
    for (usize i = 0; i < n; i++) dd[i] = ss[i];
  else
    for (usize i = n; i > 0; i--) dd[i - 1] = ss[i - 1];
  return d;
}
int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}
