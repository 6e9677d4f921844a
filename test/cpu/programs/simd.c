/* Advanced SIMD through the ACLE intrinsics. */
#include <arm_neon.h>
#include "rt.h"

static u8 bytes[64];

static u64 h = 0;
static void mix8(uint8x16_t v) {
  u64 lo = vgetq_lane_u64(vreinterpretq_u64_u8(v), 0), hi = vgetq_lane_u64(vreinterpretq_u64_u8(v), 1);
  h = (h * 31 + lo) * 31 + hi;
}
#define MIX(v) mix8(vreinterpretq_u8_##v)
#define MIX64(v) mix8(vcombine_u8(vreinterpret_u8_##v, vdup_n_u8(0)))

int main(void) {
  for (int i = 0; i < 64; i++) bytes[i] = (u8)(i * 37 + 11) ^ (u8)(i << 3);
  uint8x16_t a = vld1q_u8(OPAQUE((u8 *)bytes)), b = vld1q_u8(OPAQUE((u8 *)bytes + 16));
  uint16x8_t a16 = vreinterpretq_u16_u8(a), b16 = vreinterpretq_u16_u8(b);
  uint32x4_t a32 = vreinterpretq_u32_u8(a), b32 = vreinterpretq_u32_u8(b);
  int32x4_t s32 = vreinterpretq_s32_u8(a), t32 = vreinterpretq_s32_u8(b);
  uint64x2_t a64 = vreinterpretq_u64_u8(a), b64 = vreinterpretq_u64_u8(b);
  int16x8_t s16 = vreinterpretq_s16_u8(a), t16 = vreinterpretq_s16_u8(b);
  mix8(vaddq_u8(a, b));
  mix8(vsubq_u8(a, b));
  MIX(u16(vmulq_u16(a16, b16)));
  MIX(u32(vmlaq_u32(a32, a32, b32)));
  MIX(u32(vmlsq_u32(a32, a32, b32)));
  MIX(u64(vaddq_u64(a64, b64)));
  MIX(u64(vsubq_u64(a64, b64)));
  mix8(vandq_u8(a, b));
  mix8(vorrq_u8(a, b));
  mix8(veorq_u8(a, b));
  mix8(vbicq_u8(a, b));
  mix8(vornq_u8(a, b));
  mix8(vbslq_u8(a, b, vdupq_n_u8(0x5a)));
  mix8(vceqq_u8(a, b));
  mix8(vcgtq_u8(a, b));
  MIX(u32(vcgtq_s32(s32, t32)));
  MIX(u32(vcleq_s32(s32, t32)));
  mix8(vtstq_u8(a, b));
  MIX(u64(vceqq_u64(a64, b64)));
  MIX(u16(vshlq_n_u16(a16, 3)));
  MIX(u16(vshrq_n_u16(a16, 5)));
  MIX(s16(vshrq_n_s16(s16, 5)));
  MIX(u32(vsraq_n_u32(a32, b32, 7)));
  MIX(u64(vshlq_u64(a64, vreinterpretq_s64_u64(vandq_u64(b64, vdupq_n_u64(63))))));
  mix8((vsliq_n_u8(a, b, 3)));
  mix8((vsriq_n_u8(a, b, 3)));
  MIX(u16(vmovl_u8(vget_low_u8(a))));
  MIX(s16(vmovl_s8(vget_high_s8(vreinterpretq_s8_u8(a)))));
  MIX(u32(vmull_u16(vget_low_u16(a16), vget_low_u16(b16))));
  MIX(s64(vmull_s32(vget_low_s32(s32), vget_high_s32(t32))));
  MIX(s64(vmull_high_s32(s32, t32)));
  MIX(u16(vaddw_u8(a16, vget_low_u8(b))));
  MIX(u16(vaddl_u8(vget_low_u8(a), vget_high_u8(b))));
  mix8(vcombine_u8(vmovn_u16(a16), vdup_n_u8(0)));
  MIX64(s8(vqmovn_s16(s16)));
  mix8(vcombine_u8(vqmovun_s16(s16), vdup_n_u8(0)));
  mix8((vqaddq_u8(a, b)));
  MIX(s16(vqsubq_s16(s16, t16)));
  MIX(s16(vqdmulhq_s16(s16, t16)));
  MIX(s16(vqrdmulhq_s16(s16, t16)));
  mix8((vuzp1q_u8(a, b)));
  mix8((vuzp2q_u8(a, b)));
  mix8((vzip1q_u8(a, b)));
  mix8((vzip2q_u8(a, b)));
  MIX(u16(vtrn1q_u16(a16, b16)));
  MIX(u16(vtrn2q_u16(a16, b16)));
  mix8((vextq_u8(a, b, 5)));
  mix8((vqtbl1q_u8(a, vandq_u8(b, vdupq_n_u8(31)))));
  uint8x16x2_t tab = {{a, b}};
  mix8((vqtbl2q_u8(tab, vandq_u8(b, vdupq_n_u8(63)))));
  mix8((vrev64q_u8(a)));
  mix8((vrev32q_u8(a)));
  mix8((vcntq_u8(a)));
  mix8((vclzq_u8(a)));
  MIX(s16(vclsq_s16(s16)));
  MIX(s16(vabsq_s16(s16)));
  MIX(s16(vnegq_s16(s16)));
  mix8((vmvnq_u8(a)));
  mix8((vrbitq_u8(a)));
  mix8((vmaxq_u8(a, b)));
  MIX(s16(vminq_s16(s16, t16)));
  mix8((vabdq_u8(a, b)));
  mix8((vpaddq_u8(a, b)));
  MIX(u16(vpaddlq_u8(a)));
  h = h * 31 + vaddvq_u8(a) + vmaxvq_u8(b) + vminvq_s16(s16) + vaddlvq_u8(a);
  h = h * 31 + vgetq_lane_u8(a, 9) + vgetq_lane_s16(s16, 3) + (u64)vgetq_lane_s32(s32, 2);
  MIX(u32(vsetq_lane_u32(0xdeadbeef, a32, 2)));
  MIX(u32(vdupq_laneq_u32(a32, 3)));
  MIX(u32(vmulq_laneq_u32(a32, b32, 1)));
  uint8x16x4_t four = vld4q_u8(bytes);
  mix8(four.val[0]);
  mix8(four.val[3]);
  uint8x16x2_t two = vld2q_u8(bytes + 8);
  mix8(two.val[1]);
  u8 out[64];
  vst2q_u8(out, two);
  vst1q_u8(out + 32, vld1q_dup_u8(bytes + 5));
  for (int i = 0; i < 64; i++) h = h * 31 + out[i];
  /* Floating point vectors */
  float32x4_t fa = vcvtq_f32_s32(vshrq_n_s32(s32, 8)), fb = vcvtq_f32_u32(vshrq_n_u32(b32, 9));
  float64x2_t da = vcvtq_f64_s64(vshrq_n_s64(vreinterpretq_s64_u64(a64), 12)), db = vdupq_n_f64(0.3);
  MIX(f32(vaddq_f32(fa, fb)));
  MIX(f32(vmulq_f32(fa, fb)));
  MIX(f32(vdivq_f32(fa, fb)));
  MIX(f32(vfmaq_f32(fa, fa, fb)));
  MIX(f32(vfmsq_f32(fa, fa, fb)));
  MIX(f64(vfmaq_f64(da, da, db)));
  MIX(f64(vsqrtq_f64(vabsq_f64(da))));
  MIX(f32(vrndnq_f32(vmulq_n_f32(fb, 0.001f))));
  MIX(s32(vcvtq_s32_f32(vmulq_n_f32(fa, 0.01f))));
  MIX(u32(vcgeq_f32(fa, fb)));
  MIX(f32(vmaxnmq_f32(fa, fb)));
  MIX(f32(vpaddq_f32(fa, fb)));
  MIX(f32(vcvt_high_f32_f64(vcvt_f32_f64(da), db)));
  MIX(f64(vcvt_f64_f32(vget_low_f32(fa))));
  MIX(f32(vmulq_laneq_f32(fa, fb, 2)));
  MIX(f64(vfmaq_laneq_f64(da, da, db, 1)));
  MIX(f32(vrecpeq_f32(vabsq_f32(fb))));
  MIX(f32(vrecpsq_f32(fa, fb)));
  MIX(f32(vrsqrtsq_f32(fa, fb)));
  h = h * 31 + (u64)vmaxvq_f32(fa) + (u64)(i64)vaddvq_f64(da);
  show("simd", h);
  return 0;
}
