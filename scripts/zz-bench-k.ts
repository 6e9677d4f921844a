import { ObjectType } from '../src/kernel/object-types.js';
import { ROLE, TestSystem } from '../test/helpers/kernel-system.js';
for (let rep = 0; rep < 3; rep++) {
  const sys = new TestSystem();
  const ep = sys.create(ObjectType.Endpoint);
  sys.thread({ role: ROLE.echoServer, priority: 120, caps: { 1: ep } });
  const N = 200000;
  const c = sys.thread({ role: ROLE.callLoop, param: N, priority: 100, caps: { 3: ep } });
  const t0 = performance.now();
  const end = sys.run(1e12);
  const dt = (performance.now() - t0) / 1000;
  console.log('ppc', end.reason, sys.output.trim(), (N / dt).toFixed(0), '/s', (sys.machine.cpu.icount / N).toFixed(1), 'instr/rt', c.tcb.stats);
  const s2 = new TestSystem();
  const n = s2.create(ObjectType.Notification);
  s2.thread({ role: ROLE.waitLoop, priority: 100, caps: { 1: n } });
  s2.thread({ role: ROLE.signalLoop, param: N, priority: 100, caps: { 2: n } });
  const t1 = performance.now();
  s2.run(1e12);
  const dt2 = (performance.now() - t1) / 1000;
  console.log('ntfn', s2.output.trim(), (N / dt2).toFixed(0), '/s');
}
