import { ObjectType } from '../src/kernel/object-types.js';
import { Stage2Mmu } from '../src/machine/mmu/stage2.js';
import { ROLE, TestSystem } from '../test/helpers/kernel-system.js';
const counts = new Map<string, number>();
const orig = Stage2Mmu.prototype.walk;
Stage2Mmu.prototype.walk = function (this: Stage2Mmu, lo: number, hi: number, access: number) {
  const k = `${(lo >>> 0).toString(16)}:${access}`;
  counts.set(k, (counts.get(k) ?? 0) + 1);
  return orig.call(this, lo, hi, access as never);
} as typeof orig;
const sys = new TestSystem();
const ep = sys.create(ObjectType.Endpoint);
sys.thread({ role: ROLE.echoServer, priority: 120, caps: { 1: ep } });
sys.thread({ role: ROLE.callLoop, param: 1000, priority: 100, caps: { 3: ep } });
sys.run(1e12);
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 10));
