/* Integer instructions: arithmetic, flags, shifts, bitfields, multiply and divide. */
#include "rt.h"

static u64 vals[] = {0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
                     0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x123456789abcdef0, 0xfedcba9876543210};
#define N (sizeof vals / sizeof vals[0])

int main(void) {
  u64 h = 0;
  for (u32 i = 0; i < N; i++) {
    for (u32 j = 0; j < N; j++) {
      u64 a = OPAQUE(vals[i]), b = OPAQUE(vals[j]);
      u32 wa = (u32)a, wb = (u32)b;
      h = h * 31 + (a + b);
      h = h * 31 + (a - b);
      h = h * 31 + (a * b);
      h = h * 31 + (u64)((unsigned __int128)a * b >> 64);
      h = h * 31 + (u64)((__int128)(i64)a * (i64)b >> 64);
      h = h * 31 + (b ? a / b : 0);
      h = h * 31 + (b && !((i64)a == (i64)0x8000000000000000 && (i64)b == -1) ? (u64)((i64)a / (i64)b) : 0);
      h = h * 31 + (b ? a % b : 0);
      h = h * 31 + (wb ? wa / wb : 0);
      h = h * 31 + (u32)((i32)wb ? ((i32)wa == (i32)0x80000000 && (i32)wb == -1 ? 0 : (i32)wa / (i32)wb) : 0);
      h = h * 31 + (a << (b & 63)) + (a >> (b & 63)) + (u64)((i64)a >> (b & 63));
      h = h * 31 + (u32)(wa << (wb & 31)) + (wa >> (wb & 31)) + (u32)((i32)wa >> (wb & 31));
      h = h * 31 + (a < b) + 2 * ((i64)a < (i64)b) + 4 * (wa <= wb) + 8 * ((i32)wa >= (i32)wb);
      h = h * 31 + (a & b) + (a | ~b) + (a ^ b);
      h = h * 31 + (u64)(wa * wb) + (u64)wa * wb + (u64)((i64)(i32)wa * (i32)wb);
      h = h * 31 + (a ? (u64)__builtin_clzll(a) : 64) + (wa ? (u64)__builtin_clz(wa) : 32);
      h = h * 31 + (u64)__builtin_clrsbll((i64)a) + (u64)__builtin_popcountll(a);
      h = h * 31 + __builtin_bswap64(a) + __builtin_bswap32(wa) + __builtin_bswap16((u16)a);
      u64 r;
      __asm__("rbit %0, %1" : "=r"(r) : "r"(a));
      h = h * 31 + r;
      h = h * 31 + ((a >> 7) & 0x3fff) + ((u64)((i64)(a << 13) >> 40));
      u64 sum;
      int carry = __builtin_add_overflow(a, b, &sum);
      h = h * 31 + sum + carry;
      i64 ssum;
      int ov = __builtin_add_overflow((i64)a, (i64)b, &ssum);
      h = h * 31 + (u64)ssum + ov;
      h = h * 31 + (a > b ? a : b) + ((i64)a < (i64)b ? a : b);
    }
    show("step", h);
  }
  show("final", h);
  return 0;
}
