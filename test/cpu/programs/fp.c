/* Floating point: arithmetic, FMA, conversions, rounding, compares, FPSR flags, rounding modes. */
#include "rt.h"

static double dv[] = {0.0, -0.0, 1.0, -1.5, 3.0, 0.1, 1e308, -1e-308, 4.9e-324, 2.2250738585072014e-308, 1e16, 123456789.125,
                      __builtin_inf(), -__builtin_inf(), __builtin_nan(""), 0.5, 2.5, -2.5, 9007199254740993.0, 1.0e-5};
static float fv[] = {0.0f, -0.0f, 1.0f, -1.5f, 3.0f, 0.1f, 3e38f, -1e-38f, 1e-45f, 1.17549435e-38f, 16777217.0f,
                     __builtin_inff(), __builtin_nanf(""), 0.5f, 2.5f, -2.5f, 65504.0f, 1.0e-5f};
#define ND (sizeof dv / sizeof dv[0])
#define NF (sizeof fv / sizeof fv[0])

static u64 bits(double d) {
  u64 b;
  memcpy(&b, &d, 8);
  return b;
}
static u64 bitsf(float f) {
  u32 b;
  memcpy(&b, &f, 4);
  return b;
}

static u64 run(void) {
  u64 h = 0;
  for (u32 i = 0; i < ND; i++) {
    for (u32 j = 0; j < ND; j++) {
      double a = OPAQUE_F(dv[i]), b = OPAQUE_F(dv[j]), c = OPAQUE_F(dv[(i + j) % ND]);
      h = h * 31 + bits(a + b) + bits(a - b) * 3 + bits(a * b) * 5 + bits(a / b) * 7;
      h = h * 31 + bits(__builtin_fma(a, b, c)) + bits(__builtin_fma(-a, b, c)) * 3 + bits(__builtin_fma(a, b, -c)) * 5;
      h = h * 31 + bits(__builtin_fmin(a, b)) + bits(__builtin_fmax(a, b)) * 3;
      h = h * 31 + (a < b) + 2 * (a <= b) + 4 * (a == b) + 8 * (a != b) + 16 * __builtin_isunordered(a, b);
      h = h * 31 + fp_status();
    }
    double a = OPAQUE_F(dv[i]);
    h = h * 31 + bits(__builtin_sqrt(a)) + bits(__builtin_floor(a)) * 3 + bits(__builtin_ceil(a)) * 5 + bits(__builtin_trunc(a)) * 7;
    h = h * 31 + bits(__builtin_round(a)) + bits(__builtin_rint(a)) * 3 + bits(__builtin_nearbyint(a)) * 5;
    h = h * 31 + bitsf((float)a) + (u64)(i64)(a > -9e18 && a < 9e18 ? (i64)a : 0) + (u64)(a >= 0 && a < 1.8e19 ? (u64)a : 0);
    h = h * 31 + bits((double)(i64)bits(a)) + bits((double)bits(a)) + bitsf((float)(i64)bits(a));
    h = h * 31 + fp_status();
    show("d", h);
  }
  for (u32 i = 0; i < NF; i++) {
    for (u32 j = 0; j < NF; j++) {
      float a = OPAQUE_F(fv[i]), b = OPAQUE_F(fv[j]), c = OPAQUE_F(fv[(i * 7 + j) % NF]);
      h = h * 31 + bitsf(a + b) + bitsf(a - b) * 3 + bitsf(a * b) * 5 + bitsf(a / b) * 7;
      h = h * 31 + bitsf(__builtin_fmaf(a, b, c)) + bitsf(__builtin_fmaf(a, -b, c)) * 3;
      h = h * 31 + bits((double)a * b) + (a < b) + 2 * (a >= b);
      h = h * 31 + fp_status();
    }
    float a = OPAQUE_F(fv[i]);
    h = h * 31 + bitsf(__builtin_sqrtf(a)) + bitsf(__builtin_floorf(a)) + bitsf(__builtin_roundf(a)) * 3;
    h = h * 31 + bits((double)a) + (u64)(i32)(a > -2e9f && a < 2e9f ? (i32)a : 0) + (u64)(__fp16)a;
    show("f", h);
  }
  return h;
}

int main(void) {
  /* Every rounding mode, then flush-to-zero and default-NaN. */
  u64 modes[] = {0, 1 << 22, 2 << 22, 3 << 22, 1 << 24, 1 << 25, (1 << 24) | (1 << 25) | (2 << 22)};
  for (u32 m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    set_fpcr(modes[m]);
    clear_fpsr();
    show("mode", modes[m]);
    show("result", run());
  }
  set_fpcr(0);
  return 0;
}
