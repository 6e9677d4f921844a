/* Memory: every addressing mode, unaligned accesses, structure copies, self-modifying code. */
#include "rt.h"

struct big {
  u64 a, b, c, d;
  u32 e[9];
  u8 f[13];
};

static u8 buf[512];

__attribute__((noinline)) static void copy(struct big *dst, const struct big *src) { *dst = *src; }

typedef u64 (*fn_t)(u64);
static u32 code[16] __attribute__((aligned(16)));

int main(void) {
  for (int i = 0; i < 512; i++) buf[i] = (u8)(i * 131 + 7);
  u64 h = 0;
  for (int off = 0; off < 24; off++) {
    u8 *p = OPAQUE((u8 *)buf + off);
    u64 v64;
    u32 v32;
    u16 v16;
    memcpy(&v64, p, 8);
    memcpy(&v32, p + 3, 4);
    memcpy(&v16, p + 5, 2);
    h = h * 31 + v64 + v32 + v16 + (u64)(i64)(signed char)p[7] + (u64)(i64)(short)v16 + (u64)(i64)(i32)v32;
    memcpy(p + 100, &h, 8);
    memcpy(p + 205, &v32, 4);
  }
  struct big x, y;
  memcpy(&x, buf + 1, sizeof x);
  copy(&y, &x);
  h = h * 31 + y.a + y.d + y.e[8] + y.f[12];
  u64 *q = (u64 *)OPAQUE((u8 *)buf + 256);
  for (int i = 0; i < 16; i++) h = h * 31 + q[i] + q[i ^ 5] * 3;
  for (int i = 0; i < 512; i++) h = h * 31 + buf[i];
  show("mem", h);
  /* Self-modifying code: a function returning x + N, patched twice. */
  code[0] = 0x91000000; /* add x0, x0, #0 */
  code[1] = 0xd65f03c0; /* ret */
  fn_t f = (fn_t)(void *)code;
  u64 r = 0;
  for (int k = 1; k <= 3; k++) {
    code[0] = 0x91000000 | ((u32)k << 10);
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    r = r * 100 + f(1000);
  }
  show("smc", r);
  return 0;
}
