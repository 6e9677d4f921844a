/* Atomics: exclusives (ARMv8.0) or LSE (ARMv8.1), acquire/release, compare-and-swap. */
#include "rt.h"

static u64 cell64 = 5;
static u32 cell32 = 7;
static u16 cell16 = 9;
static u8 cell8 = 11;
static unsigned __int128 cell128 = 3;

/* 128-bit compare-and-swap: CASP with LSE, else an LDAXP/STLXP loop. */
static u64 cas128(int i) {
  u64 lo, hi, nlo, nhi;
  __asm__ volatile("ldp %0, %1, [%2]" : "=r"(lo), "=r"(hi) : "r"(&cell128) : "memory");
  nlo = lo * 3 + (u64)i;
  nhi = hi * 3 + (lo >> 60);
#if defined(__ARM_FEATURE_ATOMICS)
  register u64 x0 __asm__("x0") = lo, x1 __asm__("x1") = hi, x2 __asm__("x2") = nlo, x3 __asm__("x3") = nhi;
  __asm__ volatile("caspal x0, x1, x2, x3, [%4]" : "+r"(x0), "+r"(x1) : "r"(x2), "r"(x3), "r"(&cell128) : "memory");
  return x0 ^ x1;
#else
  u64 ol, oh;
  u32 fail;
  do {
    __asm__ volatile("ldaxp %0, %1, [%2]" : "=&r"(ol), "=&r"(oh) : "r"(&cell128) : "memory");
    __asm__ volatile("stlxp %w0, %1, %2, [%3]" : "=&r"(fail) : "r"(nlo), "r"(nhi), "r"(&cell128) : "memory");
  } while (fail);
  return ol ^ oh;
#endif
}

int main(void) {
  u64 h = 0;
  for (int i = 0; i < 50; i++) {
    h = h * 31 + __atomic_fetch_add(&cell64, i * 0x10001, __ATOMIC_SEQ_CST);
    h = h * 31 + __atomic_fetch_sub(&cell32, i, __ATOMIC_ACQUIRE);
    h = h * 31 + __atomic_fetch_or(&cell16, (u16)(1 << (i % 16)), __ATOMIC_RELEASE);
    h = h * 31 + __atomic_fetch_and(&cell8, (u8)~(1 << (i % 8)), __ATOMIC_RELAXED);
    h = h * 31 + __atomic_fetch_xor(&cell64, 0x5555, __ATOMIC_ACQ_REL);
    h = h * 31 + __atomic_exchange_n(&cell32, i * 3, __ATOMIC_SEQ_CST);
    u64 expected = OPAQUE(cell64) + (i & 1);
    h = h * 31 + __atomic_compare_exchange_n(&cell64, &expected, i, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED) + expected;
    u32 e32 = (u32)i;
    h = h * 31 + __atomic_compare_exchange_n(&cell32, &e32, 99, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE) + e32;
    h = h * 31 + __atomic_load_n(&cell64, __ATOMIC_ACQUIRE);
    __atomic_store_n(&cell8, (u8)i, __ATOMIC_RELEASE);
    h = h * 31 + cas128(i);
    h = h * 31 + (u64)cell128 + (u64)(cell128 >> 64);
  }
  show("atomics", h);
  show("cells", cell64 ^ cell32 ^ cell16 ^ cell8);
  return 0;
}
