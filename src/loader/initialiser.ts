import { capObject } from '../kernel/cap.js';
import { ROOT_SLOT, type Sel4Kernel } from '../kernel/kernel.js';
import { ObjectType } from '../kernel/object-types.js';
import type { TcbObject } from '../kernel/objects.js';
import type { BootImage } from '../compiler/image/image.js';
import { objectTypeOf, retypeSizeArg } from '../compiler/spec/object-kinds.js';
import type { CapSpec, SpecObject } from '../compiler/spec/types.js';

/**
 * The system initialiser: it plays the root task and creates every object and cap of the
 * Spec through the kernel's own invocations, in the order Microkit's capDL initialiser does
 * (spec: microkit.md §2.4): objects from untypeds, IRQ handlers, ASIDs, frame contents,
 * page tables and pages, scheduling contexts, threads, CNode contents, the domain schedule,
 * and last the threads are resumed, in object order.
 *
 * A valid image never fails here; a failure means the image is inconsistent (or a bug), and
 * `InitialiserError` says which step of which object failed.
 */

export class InitialiserError extends Error {}

/** The data word of CNode_Mint for a cap: the guard of a CNode cap, else the badge. */
const capData = (c: CapSpec): bigint => (c.guardSize !== undefined ? (BigInt(c.guard ?? 0) << 6n) | BigInt(c.guardSize) : BigInt(c.badge));

const rightsWord = (c: CapSpec) => (c.rights.write ? 1 : 0) | (c.rights.read ? 2 : 0) | (c.rights.grant ? 4 : 0) | (c.rights.grantReply ? 8 : 0);

export function initialise(kernel: Sel4Kernel, image: BootImage): void {
  const { spec, plan, data } = image;
  const objects = spec.objects;
  const boot = kernel.bootInfo;
  const memory = kernel.state.memory;
  let next = boot.empty.from;
  const take = () => {
    if (next >= boot.empty.to) throw new InitialiserError('the root CNode is full');
    return next++;
  };
  const invoke = (what: string, cptr: number, label: string, args: (number | bigint)[] = [], extra: number[] = []) => {
    const r = kernel.invoke(cptr, label, args, extra);
    if (!r.ok) throw new InitialiserError(`${what}: ${r.message}`);
    return r.words;
  };
  const obj = (i: number): SpecObject => {
    const o = objects[i];
    if (!o) throw new InitialiserError(`a reference to object ${i}, which does not exist`);
    return o;
  };

  // The kernel must hand out the untypeds the build planned with.
  if (plan.bootUntypeds > boot.untyped.length) throw new InitialiserError(`the plan expects ${plan.bootUntypeds} boot untypeds; the kernel made ${boot.untyped.length}`);
  const untypedSlot: number[] = [];
  for (let i = 0; i < plan.bootUntypeds; i++) {
    const want = plan.untypeds[i]!;
    const got = boot.untyped[i]!;
    if (want.paddr !== got.paddr || want.sizeBits !== got.sizeBits || want.device !== got.isDevice) {
      throw new InitialiserError(`boot untyped ${i} is 0x${got.paddr.toString(16)} (2^${got.sizeBits}); the plan expects 0x${want.paddr.toString(16)} (2^${want.sizeBits})`);
    }
    untypedSlot.push(got.slot);
  }

  // 1. Objects, in plan order, each checked to land where the plan says.
  const slotOf: number[] = objects.map(() => -1);
  for (const step of plan.steps) {
    if ('filler' in step) {
      const u = plan.untypeds[step.filler]!;
      const slot = take();
      invoke(`filler untyped at 0x${u.paddr.toString(16)}`, untypedSlot[u.parent!]!, 'UntypedRetype', [ObjectType.Untyped, u.sizeBits, 0, 0, slot, 1], [ROOT_SLOT.cnode]);
      untypedSlot[step.filler] = slot;
      continue;
    }
    const o = obj(step.object);
    if (o.kind === 'irq') continue;
    const slot = take();
    invoke(`creating ${o.name}`, untypedSlot[step.untyped]!, 'UntypedRetype', [objectTypeOf(o)!, retypeSizeArg(o), 0, 0, slot, 1], [ROOT_SLOT.cnode]);
    const made = capObject(kernel.rootCNode.slots[slot]!.cap);
    if (made?.paddr !== step.paddr) throw new InitialiserError(`${o.name} was created at 0x${made?.paddr.toString(16)}, not at the planned 0x${step.paddr.toString(16)}`);
    slotOf[step.object] = slot;
  }
  const slot = (i: number, why: string) => {
    const s = slotOf[i];
    if (s === undefined || s < 0) throw new InitialiserError(`${why} refers to object ${i}, which was not created`);
    return s;
  };
  const mint = (c: CapSpec, why: string) => {
    const s = take();
    invoke(why, ROOT_SLOT.cnode, 'CNodeMint', [s, 64, slot(c.object, why), 64, rightsWord(c), capData(c)], [ROOT_SLOT.cnode]);
    return s;
  };

  // 2. IRQ handlers, each signalling a badged copy of its notification.
  objects.forEach((o, i) => {
    if (o.kind !== 'irq') return;
    const s = take();
    invoke(`IRQ ${o.irq} of ${o.name}`, ROOT_SLOT.irqControl, 'ARMIRQIssueIRQHandlerTrigger', [o.irq, o.trigger === 'edge' ? 1 : 0, s, 64], [ROOT_SLOT.cnode]);
    slotOf[i] = s;
    invoke(`notification of ${o.name}`, s, 'IRQSetIRQHandler', [], [mint(o.notification, `badged notification for ${o.name}`)]);
  });

  // 3. ASIDs, 4. frame contents, 5. page tables and pages.
  objects.forEach((o, i) => {
    if (o.kind === 'vspace') invoke(`ASID for ${o.name}`, ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [slot(i, o.name)]);
  });
  objects.forEach((o, i) => {
    if (o.kind !== 'frame') return;
    const base = capObject(kernel.rootCNode.slots[slot(i, o.name)]!.cap)!.paddr;
    for (const f of o.fill) memory.write(base + f.offset, data.subarray(f.blob, f.blob + f.length));
  });
  const tables = objects.map((o, i) => ({ o, i })).filter((x) => x.o.kind === 'page_table');
  tables.sort((a, b) => (a.o.kind === 'page_table' && b.o.kind === 'page_table' ? a.o.level - b.o.level : 0));
  for (const { o, i } of tables) {
    if (o.kind !== 'page_table') continue;
    invoke(`mapping ${o.name}`, slot(i, o.name), 'ARMPageTableMap', [o.vaddr, 3], [slot(o.vspace, o.name)]);
  }
  objects.forEach((o, i) => {
    if (o.kind !== 'vspace') return;
    for (const m of o.mappings) {
      const frame = obj(m.frame);
      const copy = take();
      invoke(`copying ${frame.name}`, ROOT_SLOT.cnode, 'CNodeCopy', [copy, 64, slot(m.frame, o.name), 64, 0xf], [ROOT_SLOT.cnode]);
      const rights = (m.write ? 1 : 0) | (m.read ? 2 : 0);
      const attributes = (m.cached ? 1 : 0) | (m.execute ? 0 : 4);
      invoke(`mapping ${frame.name} at 0x${m.vaddr.toString(16)} in ${o.name}`, copy, 'ARMPageMap', [m.vaddr, rights, attributes], [slot(i, o.name)]);
    }
  });

  // 6. Scheduling contexts.
  objects.forEach((o, i) => {
    if (o.kind !== 'sched_context') return;
    invoke(`configuring ${o.name}`, boot.schedControl, 'SchedControlConfigureFlags', [o.budgetUs, o.periodUs, o.extraRefills, BigInt(o.badge), 0], [slot(i, o.name)]);
  });

  // 7. Threads.
  objects.forEach((o, i) => {
    if (o.kind !== 'tcb') return;
    const t = o.tcb;
    const self = slot(i, o.name);
    if (t.boundNotification !== undefined) invoke(`binding the notification of ${o.name}`, self, 'TCBBindNotification', [], [slot(t.boundNotification, o.name)]);
    invoke(`configuring ${o.name}`, self, 'TCBConfigure', [capData(t.cspace), 0, t.ipcBuffer.vaddr], [slot(t.cspace.object, o.name), slot(t.vspace, o.name), slot(t.ipcBuffer.frame, o.name)]);
    const fault = t.faultEndpoint ? mint(t.faultEndpoint, `fault endpoint of ${o.name}`) : 0;
    const sc = t.schedContext !== undefined ? slot(t.schedContext, o.name) : 0;
    invoke(`scheduling ${o.name}`, self, 'TCBSetSchedParams', [t.mcp, t.priority], [ROOT_SLOT.tcb, sc, fault]);
    invoke(`flags of ${o.name}`, self, 'TCBSetFlags', [0, t.fpu ? 0 : 1]);
    if (t.domain !== 0 && spec.numDomains > 1) invoke(`domain of ${o.name}`, ROOT_SLOT.domain, 'DomainSetSet', [t.domain], [self]);
    invoke(`registers of ${o.name}`, self, 'TCBWriteRegisters', [0, 2, BigInt(t.ip), BigInt(t.sp)]);
    (kernel.rootCNode.slots[self]!.cap as { obj: TcbObject }).obj.name = t.pd;
  });

  // 8. CNode contents.
  objects.forEach((o, i) => {
    if (o.kind !== 'cnode') return;
    const self = slot(i, o.name);
    for (const { slot: index, cap } of o.slots) {
      invoke(`slot ${index} of ${o.name}`, self, 'CNodeMint', [index, o.radix, slot(cap.object, o.name), 64, rightsWord(cap), capData(cap)], [ROOT_SLOT.cnode]);
    }
  });

  // 9. The domain schedule.
  if (spec.domainSchedule && spec.numDomains > 1) {
    spec.domainSchedule.forEach((e, index) => invoke(`domain schedule entry ${index}`, ROOT_SLOT.domain, 'DomainScheduleConfigure', [index, e.domain, e.ticks]));
    invoke('domain schedule start', ROOT_SLOT.domain, 'DomainScheduleSetStart', [0]);
  }

  // 10. Start the threads, in object order.
  objects.forEach((o, i) => {
    if (o.kind === 'tcb' && o.tcb.resume) invoke(`resuming ${o.name}`, slot(i, o.name), 'TCBResume');
  });
}
