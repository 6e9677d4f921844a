/**
 * NZCV in compiled code. A flag-setting instruction leaves its operands and result in
 * block-local constants (`Pending`); a later B.cond, CSEL or CCMP in the same block reads the
 * condition straight from them (a compare fused into the branch). Beyond the block they are
 * lazy flags (emitter.ts: the setter's kind and operands in function locals), written to
 * `cpu.n/z/c/v` by runtime.ts `storeFlags` only where they can be observed: a handler that
 * reads them, an exit, a fault.
 */

/** The flags of `SUBS`/`ADDS` (operands a, b and result r) or of a logical `ANDS`. */
export interface Pending {
  kind: 'sub' | 'add' | 'logic';
  sf: number;
  /** Names of the block-local constants holding the halves. */
  al: string;
  ah: string;
  bl: string;
  bh: string;
  rl: string;
  rh: string;
  /** Already written to cpu.n/z/c/v (the constants stay usable for fused conditions). */
  stored: boolean;
}

/** N, Z, C, V of a pending flag-setter as boolean JS expressions. */
function components(p: Pending): [string, string, string, string] {
  const { al, ah, bl, bh, rl, rh } = p;
  const n = p.sf ? `${rh} < 0` : `${rl} < 0`;
  const z = p.sf ? `(${rl} | ${rh}) === 0` : `${rl} === 0`;
  if (p.kind === 'logic') return [n, z, 'false', 'false'];
  if (p.kind === 'sub') {
    const c = p.sf ? `((${ah} >>> 0) > (${bh} >>> 0) || (${ah} === ${bh} && (${al} >>> 0) >= (${bl} >>> 0)))` : `(${al} >>> 0) >= (${bl} >>> 0)`;
    const v = p.sf ? `((${ah} ^ ${bh}) & (${ah} ^ ${rh})) < 0` : `((${al} ^ ${bl}) & (${al} ^ ${rl})) < 0`;
    return [n, z, c, v];
  }
  const c = p.sf ? `((${rh} >>> 0) < (${ah} >>> 0) || (${rh} === ${ah} && (${rl} >>> 0) < (${al} >>> 0)))` : `(${rl} >>> 0) < (${al} >>> 0)`;
  const v = p.sf ? `(~(${ah} ^ ${bh}) & (${ah} ^ ${rh})) < 0` : `(~(${al} ^ ${bl}) & (${al} ^ ${rl})) < 0`;
  return [n, z, c, v];
}

/** A condition (ARM `cond` field) over the stored flags. */
export function storedCondition(cond: number): string {
  return combine(cond, ['cpu.n === 1', 'cpu.z === 1', 'cpu.c === 1', 'cpu.v === 1'], 'cpu.n === cpu.v');
}

function combine(cond: number, [n, z, c, v]: string[], nEqualsV: string): string {
  if (cond >= 14) return 'true';
  const base = [z, c, n, v, `(${c}) && !(${z})`, nEqualsV, `!(${z}) && ${nEqualsV}`][cond >> 1]!;
  return (cond & 1) === 1 ? `!(${base})` : `(${base})`;
}

/** A condition over a pending flag-setter: a compare and branch fused into one JS test. */
export function pendingCondition(cond: number, p: Pending): string {
  if (p.kind === 'sub') {
    const { al, ah, bl, bh } = p;
    const invert = (e: string): string => ((cond & 1) === 1 ? `!(${e})` : `(${e})`);
    const u = (op: string): string => (p.sf ? `(${ah} >>> 0) ${op[0]} (${bh} >>> 0) || (${ah} === ${bh} && (${al} >>> 0) ${op} (${bl} >>> 0))` : `(${al} >>> 0) ${op} (${bl} >>> 0)`);
    const s = (op: string): string => (p.sf ? `${ah} ${op[0]} ${bh} || (${ah} === ${bh} && (${al} >>> 0) ${op} (${bl} >>> 0))` : `${al} ${op} ${bl}`);
    switch (cond >> 1) {
      case 0:
        return invert(p.sf ? `${al} === ${bl} && ${ah} === ${bh}` : `${al} === ${bl}`);
      case 1:
        return invert(u('>='));
      case 4:
        return invert(u('>'));
      case 5:
        return invert(s('>='));
      case 6:
        return invert(s('>'));
    }
  }
  const [n, z, c, v] = components(p);
  return combine(cond, [n, z, c, v], `(${n}) === (${v})`);
}
