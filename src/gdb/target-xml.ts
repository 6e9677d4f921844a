/**
 * The target description GDB reads with `qXfer:features:read:target.xml`: the AArch64 core and
 * FP/SIMD features with GDB's own feature and register names (gdb/features/aarch64-core.xml and
 * aarch64-fpu.xml), in GDB's register numbering (target.ts, REG).
 */

const core = [
  ...Array.from({ length: 31 }, (_, i) => `<reg name="x${i}" bitsize="64" type="int" regnum="${i}"/>`),
  '<reg name="sp" bitsize="64" type="data_ptr"/>',
  '<reg name="pc" bitsize="64" type="code_ptr"/>',
  '<reg name="cpsr" bitsize="32" type="int"/>',
].join('');

const vectorTypes = [
  '<vector id="v2d" type="ieee_double" count="2"/>',
  '<vector id="v2u" type="uint64" count="2"/>',
  '<vector id="v2i" type="int64" count="2"/>',
  '<vector id="v4f" type="ieee_single" count="4"/>',
  '<vector id="v4u" type="uint32" count="4"/>',
  '<vector id="v4i" type="int32" count="4"/>',
  '<vector id="v8u" type="uint16" count="8"/>',
  '<vector id="v8i" type="int16" count="8"/>',
  '<vector id="v16u" type="uint8" count="16"/>',
  '<vector id="v16i" type="int8" count="16"/>',
  '<vector id="v1u" type="uint128" count="1"/>',
  '<vector id="v1i" type="int128" count="1"/>',
  '<union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>',
  '<union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>',
  '<union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>',
  '<union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>',
  '<union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>',
  '<union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>',
].join('');

const fpu = [vectorTypes, ...Array.from({ length: 32 }, (_, i) => `<reg name="v${i}" bitsize="128" type="aarch64v" regnum="${34 + i}"/>`), '<reg name="fpsr" bitsize="32"/>', '<reg name="fpcr" bitsize="32"/>'].join('');

export const TARGET_XML =
  '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target version="1.0">' +
  '<architecture>aarch64</architecture>' +
  `<feature name="org.gnu.gdb.aarch64.core">${core}</feature>` +
  `<feature name="org.gnu.gdb.aarch64.fpu">${fpu}</feature>` +
  '</target>';
