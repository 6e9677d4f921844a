import { describe, expect, it } from 'vitest';
import { ROOT_SLOT } from '../src/kernel/kernel.js';
import { Reg } from '../src/kernel/faults.js';
import { ObjectType } from '../src/kernel/object-types.js';
import { ThreadState } from '../src/kernel/objects.js';
import { ROLE, TestSystem } from './helpers/kernel-system.js';

/**
 * Scenarios on the real machine and kernel models: small EL0 programs
 * (test/kernel/programs/scenarios.c) built into systems through the kernel's own invocations.
 */

describe('system calls', () => {
  it('keep every register the kernel does not write, and DebugCapIdentify names a cap type', () => {
    const sys = new TestSystem();
    sys.thread({ role: ROLE.regs });
    expect(sys.run().reason).toBe('idle-forever');
    // x6, x8 and x9–x28 survive the SVC: 6 + 8 + (9 + … + 28).
    expect(sys.output).toBe('r sum 384\nslot 10 holds cap type 10\n');
  });

  it('ping-pong: notifications in both directions alternate two equal-priority threads', () => {
    const sys = new TestSystem();
    const a = sys.create(ObjectType.Notification);
    const b = sys.create(ObjectType.Notification);
    sys.thread({ role: ROLE.ping, param: 3, caps: { 1: a, 2: b } });
    sys.thread({ role: ROLE.pong, param: 3, caps: { 1: b, 2: a } });
    sys.run();
    expect(sys.output).toBe('ping 0\npong 0\nping 1\npong 1\nping 2\npong 2\nping done\n');
  });

  it('a signal puts a woken waiter of equal priority at the tail of its ready queue, one of lower priority at the head', () => {
    const wakeOrder = (signallerPriority: number) => {
      const sys = new TestSystem();
      const [n1, n2, n3] = [sys.create(ObjectType.Notification), sys.create(ObjectType.Notification), sys.create(ObjectType.Notification)];
      sys.thread({ role: ROLE.waiter, priority: 100, caps: { 1: n1 } });
      sys.thread({ role: ROLE.waiter, priority: 100, caps: { 1: n2 } });
      const signaller = sys.thread({ role: ROLE.signaler, priority: signallerPriority, suspended: true, caps: { 5: { slot: n1, badge: 1 }, 6: { slot: n2, badge: 2 }, 7: { slot: n3, badge: 4 } } });
      sys.run(); // both waiters block
      sys.invoke(signaller.tcbSlot, 'TCBResume');
      sys.run();
      return sys.output;
    };
    // The signaller wakes the first waiter, then the second, and runs on until it parks.
    expect(wakeOrder(100)).toBe('signaled\nwaiter: 1 then 0\nwaiter: 2 then 0\n');
    expect(wakeOrder(150)).toBe('signaled\nwaiter: 2 then 0\nwaiter: 1 then 0\n');
  });

  it('call/reply: a long message crosses the registers into the IPC buffer both ways, with label and badge', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    sys.thread({ role: ROLE.server, param: 1, priority: 120, caps: { 1: ep } });
    sys.thread({ role: ROLE.client, param: 10, priority: 100, caps: { 3: { slot: ep, badge: 0x42 } } });
    sys.run();
    // Sent: 11 k for k < 10 (sum 495); replied: 2 (11 k) + 1 (sum 1000), label 9, badge 0.
    expect(sys.output).toBe('server: badge 0x42 label 7 length 10 sum 495\nclient: reply label 9 length 10 sum 1000 badge 0\n');
  });

  it('transfers one cap through a Grant endpoint and unwraps a cap to the endpoint itself into its badge', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const n = sys.create(ObjectType.Notification);
    sys.thread({ role: ROLE.capServer, priority: 120, caps: { 1: ep } });
    sys.thread({ role: ROLE.capClient, priority: 100, caps: { 2: { slot: n, badge: 0x33 }, 3: { slot: ep, badge: 0x21 } } });
    sys.run();
    // Cap 0 (the notification) lands in slot 12; cap 1 (the endpoint it was sent through)
    // arrives as its badge; the server signals through its copy, with the copy's badge.
    expect(sys.output).toBe('cap server: extraCaps 2 unwrapped 2 badge[1] 33 slot 12 type 6\ncap client: reply label 6, signal 51\n');
  });

  it('transfers no cap through an endpoint cap without Grant', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const n = sys.create(ObjectType.Notification);
    sys.thread({ role: ROLE.capServer, priority: 120, caps: { 1: ep } });
    sys.thread({ role: ROLE.capClient, priority: 100, caps: { 2: { slot: n, badge: 0x33 }, 3: { slot: ep, badge: 0x21, rights: 0b1011 } } });
    sys.run(5_000_000);
    expect(sys.output).toMatch(/^cap server: extraCaps 0 unwrapped 0 badge\[1\] \d+ slot 12 type 0\n/);
  });

  it('a message longer than the 4 registers is cut to 4 when the receiver has no IPC buffer', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const server = sys.thread({ role: ROLE.server, param: 1, priority: 120, caps: { 1: ep }, suspended: true });
    sys.invoke(server.tcbSlot, 'TCBSetIPCBuffer', [0], [0]);
    sys.invoke(server.tcbSlot, 'TCBResume');
    sys.thread({ role: ROLE.client, param: 10, caps: { 3: ep } });
    sys.run();
    // Without a buffer the server's prints of MR4.. read its (unmapped-in-kernel) buffer as
    // nothing: the kernel transferred 4 words, and the length says so.
    expect(sys.output).toContain('server: badge 0x0 label 7 length 4');
  });

  it('notifications coalesce: three badges signalled before the waiter runs arrive as one word', () => {
    const sys = new TestSystem();
    const n = sys.create(ObjectType.Notification);
    sys.thread({ role: ROLE.signaler, priority: 150, caps: { 5: { slot: n, badge: 1 }, 6: { slot: n, badge: 2 }, 7: { slot: n, badge: 4 } } });
    sys.thread({ role: ROLE.waiter, priority: 100, caps: { 1: n } });
    sys.run();
    expect(sys.output).toBe('signaled\nwaiter: 7 then 0\n');
  });

  it('orders an endpoint queue by priority, FIFO among equals, whatever the arrival order', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    // Senders arrive one by one: priorities 10, 30, 20, 30.
    const prios = [10, 30, 20, 30];
    prios.forEach((priority, i) => {
      sys.thread({ role: ROLE.sender, param: i + 1, priority, caps: { 3: { slot: ep, badge: priority } } });
      sys.run(1_000_000);
    });
    sys.thread({ role: ROLE.receiver, param: 4, priority: 5, caps: { 1: ep } });
    sys.run();
    expect(sys.output).toBe('received 2 badge 30\nreceived 4 badge 30\nreceived 3 badge 20\nreceived 1 badge 10\n');
  });
});

describe('scheduling-context donation', () => {
  it('a passive server runs on its caller’s scheduling context, and its notification’s when signalled', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const ntfn = sys.create(ObjectType.Notification);
    const server = sys.thread({ role: ROLE.server, param: 2, priority: 120, caps: { 1: ep }, boundNotification: ntfn, suspended: true });
    // Microkit's passive handshake: the server's SC is bound to its notification too, so the
    // first blocking receive hands it back to the notification.
    sys.invoke(server.scSlot, 'SchedContextBind', [], [ntfn]);
    sys.invoke(server.tcbSlot, 'TCBResume');
    const client = sys.thread({ role: ROLE.client, param: 2, priority: 100, caps: { 3: ep } });
    const seen: string[] = [];
    sys.kernel.state.trace.switchTo = (t) => {
      if (t === server.tcb) seen.push(t.sc === client.sc ? 'client SC' : t.sc === server.sc ? 'own SC' : 'no SC');
    };
    sys.run();
    expect(sys.output).toBe('server: badge 0x0 label 7 length 2 sum 11\nclient: reply label 9 length 2 sum 24 badge 0\n');
    expect(seen).toEqual(['own SC', 'client SC']);
    // Back in its receive, the server is passive: no SC; the notification holds it.
    expect(server.tcb.sc).toBeUndefined();
    expect(server.sc.notification?.sc).toBe(server.sc);
    expect(server.sc.tcb).toBeUndefined();
    expect(client.sc.tcb).toBe(client.tcb);
    expect(client.sc.consumed).toBeGreaterThan(0);
  });
});

describe('faults', () => {
  function faultSystem(kind: number, handlerParam = 1) {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    sys.thread({ role: ROLE.faultHandler, param: handlerParam, priority: 200, caps: { 1: ep } });
    const faulter = sys.thread({ role: ROLE.faulter, param: kind, priority: 100, faultEndpoint: { slot: ep, badge: 7, rights: 0b0111 } });
    sys.run();
    return { sys, faulter };
  }

  const mrs = (out: string) => out.split('\n')[0]!.split(' mrs ')[1]!.split(' ');

  it('VMFault: IP, address, prefetch flag and the ESR; the thread waits on the reply', () => {
    const { sys, faulter } = faultSystem(0);
    expect(sys.output).toMatch(/^fault: badge 7 label 6 length 4 mrs /);
    const [ip, addr, prefetch, fsr] = mrs(sys.output);
    expect(addr).toBe('0x10');
    expect(prefetch).toBe('0x0');
    expect(Number(fsr) >>> 26).toBe(0x24); // a data abort from a lower level
    expect(BigInt(ip!)).toBe(faulter.tcb.faultIP);
    expect(faulter.tcb.state).toBe(ThreadState.BlockedOnReply);
  });

  it('UserException for an undefined instruction (ESR class 0)', () => {
    const { sys } = faultSystem(1);
    // IP, SP (on the stack below 0xff_ffff_e000), SPSR (flags and EL0t with F masked), ESR, code.
    expect(sys.output).toMatch(/^fault: badge 7 label 3 length 5 mrs 0x2[0-9a-f]{5} 0xffffffd[0-9a-f]{3} 0x[0-9a-f]0000040 0x2000000 0x0\n$/);
  });

  it('UnknownSyscall: x0–x7, IP, SP, ELR, SPSR and the number; the reply resumes the thread with its registers', () => {
    const { sys } = faultSystem(2);
    const words = mrs(sys.output);
    expect(words).toHaveLength(13);
    expect(words[0]).toBe('0x1234');
    expect(words[7]).toBe('0x5');
    expect(BigInt(words[10]!) - BigInt(words[8]!)).toBe(4n); // ELR is past the SVC
    expect(words[12]).toBe('0x5');
    expect(sys.output).toContain('faulter: resumed after unknown syscall, x0 0x77 x1 0x88\n');
  });

  it('a fault reply writes back only the registers its length covers (MIN(length, registers))', () => {
    // The handler replies with 9 words (x0–x7 and the IP) and a bad SP in the 10th message
    // register: the thread resumes with its own SP, so it prints and keeps running.
    const { sys, faulter } = faultSystem(2, 1 | 0x100);
    expect(sys.output).toContain('faulter: resumed after unknown syscall, x0 0x77 x1 0x88\n');
    expect(faulter.tcb.state).not.toBe(ThreadState.Inactive);
    expect(sys.kernel.state.reg(faulter.tcb, Reg.SP) >> 16n).not.toBe(0xdeadn);
  });

  it('DebugException for BRK in the debug configuration', () => {
    const { sys } = faultSystem(3);
    expect(sys.output).toMatch(/^fault: badge 7 label 4 length 2 mrs 0x[0-9a-f]+ 0x3\n/);
  });

  it('a Call of an empty slot is an InvalidCapability error, not a fault; the debug kernel says why', () => {
    const { sys } = faultSystem(4);
    expect(sys.output).toMatch(/^<<seL4\(CPU 0\) \[decodeInvocation\/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\]: Attempted to invoke a null cap #12\.>>\nfaulter: call of an empty slot: error 2 MR0 0\n$/);
  });

  it('CapFault for a cptr whose guard does not match; the debug kernel names the cap', () => {
    const { sys } = faultSystem(5);
    const [said, ...rest] = sys.output.split('\n');
    expect(said).toMatch(/^<<seL4\(CPU 0\) \[handleInvocation\/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\]: Invocation of invalid cap #1099511627776\.>>$/);
    // IP, address 2^40, send phase, GuardMismatch: bits left 64, guard 0 of 60 bits.
    expect(mrs(rest.join('\n')).slice(1)).toEqual(['0x10000000000', '0x0', '0x4', '0x40', '0x0', '0x3c']);
  });

  it('without a fault handler the thread becomes inactive and the kernel says why', () => {
    const sys = new TestSystem();
    const t = sys.thread({ role: ROLE.faulter, param: 0 });
    sys.run();
    // 0x93c28046: a data abort (write, translation fault at level 2) of `str x2, [x1]` (scenarios.c), with its instruction syndrome (ISV, SAS 3, SRT 2, SF).
    expect(t.tcb.state).toBe(ThreadState.Inactive);
    expect(sys.output).toMatch(
      /^Found thread has no fault handler while trying to handle:\nvm fault on data at address 0x10 with status 0x93c28046\nin thread 0x[0-9a-f]+ "child of: 'rootserver'" at address 0x[0-9a-f]+\nWith stack:\n(0xffffffd[0-9a-f]{3}: 0x[0-9a-f]+\n){16}$/,
    );
  });

  it('an UnknownSyscall in the release configuration prints nothing', () => {
    const sys = new TestSystem({ config: { hypervisor: true, hardwareDebugApi: false, debugBuild: false, paBits: 40, smp: false } });
    const t = sys.thread({ role: ROLE.faulter, param: 0 });
    sys.run();
    expect(t.tcb.state).toBe(ThreadState.Inactive);
    expect(sys.output).toBe('');
  });
});

describe('deletion', () => {
  it('revoking and deleting the endpoint a thread waits on restarts its receive, which then faults', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const receiver = sys.thread({ role: ROLE.blockedReceiver, caps: { 1: ep } });
    sys.run(1_000_000);
    expect(receiver.tcb.state).toBe(ThreadState.BlockedOnReceive);
    // Revoke: the receiver's copy (a child of the root's cap) goes; the endpoint stays.
    sys.invoke(ROOT_SLOT.cnode, 'CNodeRevoke', [ep, 64]);
    expect(receiver.tcb.state).toBe(ThreadState.BlockedOnReceive);
    // Deleting the last cap finalises the endpoint: the receiver restarts its SVC, whose
    // lookup now finds nothing.
    sys.invoke(ROOT_SLOT.cnode, 'CNodeDelete', [ep, 64]);
    expect(receiver.tcb.state).toBe(ThreadState.Restart);
    sys.run();
    expect(sys.output).toContain('cap fault in receive phase at address 0x1');
    expect(receiver.tcb.state).toBe(ThreadState.Inactive);
  });

  it('a thread deletes a cap through its own CNode cap (CNode_Delete at EL0)', () => {
    const sys = new TestSystem();
    const n = sys.create(ObjectType.Notification);
    const t = sys.thread({ role: ROLE.deleter, param: 0, caps: { 11: n } });
    sys.run();
    expect(sys.output).toBe('deleted: error 0\n');
    const cnode = sys.kernel.rootCNode.slots[t.cnodeSlot]!.cap;
    expect(cnode.type === 10 && cnode.cnode.slots[11]!.cap.type).toBe(0);
  });

  it('deleting a TCB cap takes the thread out of the scheduler', () => {
    const sys = new TestSystem();
    const spinner = sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0) });
    sys.run(3_000_000);
    expect(sys.output.length).toBeGreaterThan(0);
    sys.invoke(ROOT_SLOT.cnode, 'CNodeDelete', [spinner.tcbSlot, 64]);
    const before = sys.output.length;
    expect(sys.run(3_000_000).reason).toBe('idle-forever');
    expect(sys.output.length).toBe(before);
  });
});

describe('MCS scheduling', () => {
  it('round robin: equal priorities share the CPU in budget-sized slices', () => {
    const sys = new TestSystem();
    sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0), budgetUs: 1000 });
    sys.thread({ role: ROLE.spin, param: 'b'.charCodeAt(0), budgetUs: 1000 });
    sys.run(20_000_000); // 20 ms at 1 GHz
    const runs = sys.output.match(/a+|b+/g)!;
    expect(runs.length).toBeGreaterThanOrEqual(15);
    expect(sys.output.split('a').length - 1).toBeGreaterThan(10);
    expect(sys.output.split('b').length - 1).toBeGreaterThan(10);
  });

  it('a higher priority always wins: the lower-priority spinner never runs', () => {
    const sys = new TestSystem();
    sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0), priority: 101 });
    sys.thread({ role: ROLE.spin, param: 'b'.charCodeAt(0), priority: 100 });
    sys.run(10_000_000);
    expect(sys.output).toMatch(/^a+$/);
  });

  it('a sporadic budget limits a thread to budget per period, leaving the rest to lower priorities', () => {
    const sys = new TestSystem();
    const limited = sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0), priority: 150, budgetUs: 2000, periodUs: 10_000, sporadic: true });
    const background = sys.thread({ role: ROLE.spin, param: 'b'.charCodeAt(0), priority: 100 });
    sys.run(100_000_000); // 100 ms
    const ms = (ticks: number) => ticks / 62_500;
    const total = ms(limited.sc.consumed);
    expect(total).toBeGreaterThan(17);
    expect(total).toBeLessThan(23);
    expect(background.sc.consumed).toBeGreaterThan(limited.sc.consumed * 3);
  });

  it('a Timeout fault goes to the timeout handler when a sporadic budget runs out', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    sys.thread({ role: ROLE.faultHandler, param: 1, priority: 200, caps: { 1: ep } });
    const t = sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0), priority: 100, budgetUs: 1000, periodUs: 5000, timeoutEndpoint: { slot: ep, badge: 9, rights: 0b0111 } });
    sys.run(10_000_000);
    // MR0 the SC's badge (0x100 + its TCB's root slot), MR1 the microseconds it consumed.
    const m = sys.output.match(/fault: badge 9 label 5 length 2 mrs (0x[0-9a-f]+) (0x[0-9a-f]+)/)!;
    expect(BigInt(m[1]!)).toBe(BigInt(0x100 + t.tcbSlot));
    expect(Number(m[2]!)).toBeGreaterThanOrEqual(980);
    expect(Number(m[2]!)).toBeLessThanOrEqual(1000);
    expect(t.tcb.state).toBe(ThreadState.BlockedOnReply);
  });
});

describe('notifications and interrupts', () => {
  it('a bound notification wakes a thread blocked receiving on an endpoint, writing only x0', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const ntfn = sys.create(ObjectType.Notification);
    const receiver = sys.thread({ role: ROLE.receiver, param: 1, priority: 150, caps: { 1: ep }, boundNotification: ntfn });
    sys.thread({ role: ROLE.signaler, priority: 100, caps: { 5: { slot: ntfn, badge: 1 }, 6: { slot: ntfn, badge: 2 }, 7: { slot: ntfn, badge: 4 } } });
    sys.run();
    // The first signal wakes the higher-priority receiver at once (x0 = 1; x2 keeps what it
    // held: 0); the other two arrive while it waits elsewhere and stay in the word.
    expect(sys.output).toBe('received 0 badge 1\nsignaled\n');
    expect(receiver.tcb.boundNotification!.word).toBe(6n);
  });

  it('a timer driver takes the EL1 physical timer interrupt through IRQControl and its notification', () => {
    const sys = new TestSystem();
    const ntfn = sys.create(ObjectType.Notification);
    const handler = sys.kernel.bootInfo.empty.to - 1;
    sys.invoke(ROOT_SLOT.irqControl, 'ARMIRQIssueIRQHandlerTrigger', [30, 0, handler, 64], [ROOT_SLOT.cnode]);
    sys.invoke(handler, 'IRQSetIRQHandler', [], [sys.mint(ntfn, 1 << 5)]);
    sys.thread({ role: ROLE.timer, param: 3, caps: { 1: ntfn, 13: handler } });
    sys.run(10_000_000);
    expect(sys.output).toBe('tick 0 badge 32 at 1 ms\ntick 1 badge 32 at 2 ms\ntick 2 badge 32 at 3 ms\n');
    // Between ticks nothing runs: the machine skipped the idle time instead of executing it.
    expect(sys.machine.cpu.icount).toBeLessThan(100_000);
    expect(sys.machine.cycles).toBeGreaterThanOrEqual(3_000_000);
  });

  it('an interrupt with no notification is masked and reported', () => {
    const sys = new TestSystem();
    const handler = sys.kernel.bootInfo.empty.to - 1;
    sys.invoke(ROOT_SLOT.irqControl, 'ARMIRQIssueIRQHandlerTrigger', [30, 0, handler, 64], [ROOT_SLOT.cnode]);
    sys.thread({ role: ROLE.timer, param: 1, caps: { 13: handler } });
    sys.run(5_000_000);
    expect(sys.output).toContain('Undelivered IRQ: 30\n');
  });
});

describe('more scheduling and IPC', () => {
  it('Yield puts a round-robin thread at the tail of its priority', () => {
    const sys = new TestSystem();
    sys.thread({ role: ROLE.yielder, param: 'a'.charCodeAt(0) });
    sys.thread({ role: ROLE.yielder, param: 'b'.charCodeAt(0) });
    sys.run();
    // The root task resumed a, then b; each went to the head of the priority-100 queue, so b
    // runs first, as it would under seL4.
    expect(sys.output).toBe('babababa');
  });

  it('CancelBadgedSends restarts only the senders with that badge', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const b1 = sys.mint(ep, 1);
    const senders = [1, 2, 1].map((badge, i) => sys.thread({ role: ROLE.sender, param: i, caps: { 3: badge === 1 ? b1 : { slot: ep, badge } } }));
    sys.run(1_000_000);
    expect(senders.map((t) => t.tcb.state)).toEqual([ThreadState.BlockedOnSend, ThreadState.BlockedOnSend, ThreadState.BlockedOnSend]);
    sys.invoke(ROOT_SLOT.cnode, 'CNodeCancelBadgedSends', [b1, 64]);
    expect(senders.map((t) => t.tcb.state)).toEqual([ThreadState.Restart, ThreadState.BlockedOnSend, ThreadState.Restart]);
    // They send again and block again, in their original order.
    sys.run(1_000_000);
    const epObj = (sys.kernel.rootCNode.slots[ep]!.cap as { obj: import('../src/kernel/objects.js').EndpointObject }).obj;
    expect(epObj.queue).toEqual([senders[1]!.tcb, senders[0]!.tcb, senders[2]!.tcb]);
  });

  it('deleting the reply object a faulted thread waits on leaves it inactive', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const handler = sys.thread({ role: ROLE.faultHandler, param: 1, priority: 200, caps: { 1: ep } });
    const faulter = sys.thread({ role: ROLE.faulter, param: 0, faultEndpoint: { slot: ep, badge: 1, rights: 0b0111 } });
    sys.run();
    expect(faulter.tcb.state).toBe(ThreadState.BlockedOnReply);
    // The reply object's caps: the root's original and the handler's copy in slot 4.
    const reply = faulter.tcb.replyObject!;
    sys.invoke(handler.cnodeSlot, 'CNodeDelete', [4, 4]);
    expect(faulter.tcb.state).toBe(ThreadState.BlockedOnReply);
    const rootSlot = sys.kernel.rootCNode.slots.find((s) => s.cap.type === 8 && s.cap.obj === reply)!.index;
    sys.invoke(ROOT_SLOT.cnode, 'CNodeDelete', [rootSlot, 64]);
    expect(faulter.tcb.state).toBe(ThreadState.Inactive);
    expect(reply.tcb).toBeUndefined();
  });

  it('Suspend takes a blocked sender out of the endpoint queue; Resume restarts its send', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const s = sys.thread({ role: ROLE.sender, param: 7, caps: { 3: ep } });
    sys.run(1_000_000);
    sys.invoke(s.tcbSlot, 'TCBSuspend');
    const epObj = (sys.kernel.rootCNode.slots[ep]!.cap as { obj: import('../src/kernel/objects.js').EndpointObject }).obj;
    expect(epObj.queue).toEqual([]);
    sys.invoke(s.tcbSlot, 'TCBResume');
    sys.thread({ role: ROLE.receiver, param: 1, priority: 5, caps: { 1: ep } });
    sys.run();
    expect(sys.output).toBe('received 7 badge 0\n');
  });
});

describe('debug system calls', () => {
  it('DebugNameThread names a thread, DebugDumpScheduler lists every TCB, DebugHalt stops the machine', () => {
    const sys = new TestSystem();
    const t = sys.thread({ role: ROLE.debug, priority: 77, caps: {}, suspended: true });
    sys.invoke(t.cnodeSlot, 'CNodeCopy', [11, 4, t.tcbSlot, 64, 0xf], [ROOT_SLOT.cnode]);
    sys.invoke(t.tcbSlot, 'TCBResume');
    const end = sys.run();
    expect(end).toMatchObject({ reason: 'halt', message: 'seL4_DebugHalt from thread "debugger"' });
    const lines = sys.output.split('\n');
    expect(lines[0]).toBe('Dumping all tcbs!');
    expect(lines[1]).toBe(`${'Name'.padEnd(40)}   ${'State'.padEnd(16)}   ${'IP'.padEnd(18)}   Prio   ${'InReleaseQueue'.padEnd(14)}`);
    expect(lines[2]).toBe('-'.repeat(105));
    expect(lines[3]).toMatch(/^debugger {35}running {12}0x[0-9a-f]{6} {15}77 {3}no {12}$/);
    expect(lines[4]).toMatch(/^idle_thread +idle +0 +0 +no/);
    expect(lines[5]).toMatch(/^rootserver +inactive +0 +255 +no/);
    expect(lines[6]).toMatch(/^Debug halt syscall from user thread 0x[0-9a-f]+ "debugger"$/);
    expect(sys.output).not.toContain('not halted');
  });
});
