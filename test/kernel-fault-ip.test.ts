import { describe, expect, it } from 'vitest';
import { TcbObject } from '../src/kernel/objects.js';

describe('TcbObject.faultIP', () => {
  it('reads back what was set, as a number within ±2^53 (no BigInt on a kernel entry) and as a BigInt beyond', () => {
    const t = new TcbObject(0x1000, 11);
    expect(t.faultIP).toBe(0n);
    t.setFaultIP(0x20_0174);
    expect(t.faultIP).toBe(0x20_0174n);
    t.setFaultIP(-4); // an SVC at address 0, as `pc - 4`
    expect(t.faultIP).toBe(-4n);
    for (const v of [2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 4n, -(2n ** 53n) - 1n, 7n]) {
      t.faultIP = v;
      expect(t.faultIP).toBe(v);
    }
    t.faultIP = 2n ** 60n;
    t.setFaultIP(8);
    expect(t.faultIP).toBe(8n);
  });
});
