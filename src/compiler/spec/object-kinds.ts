import { ObjectType, objectSizeBits, type KernelModelConfig } from '../../kernel/object-types.js';
import type { Spec, SpecObject } from './types.js';

/**
 * How each kind of Spec object is made: the seL4 object type Untyped_Retype is given, the
 * size argument it takes, and so (through the kernel model's own size table) how big it is.
 */

/** The Untyped_Retype type of an object; IRQ handlers are not memory objects. */
export function objectTypeOf(o: SpecObject): ObjectType | undefined {
  switch (o.kind) {
    case 'tcb':
      return ObjectType.TCB;
    case 'endpoint':
      return ObjectType.Endpoint;
    case 'notification':
      return ObjectType.Notification;
    case 'reply':
      return ObjectType.Reply;
    case 'sched_context':
      return ObjectType.SchedContext;
    case 'cnode':
      return ObjectType.CapTable;
    case 'vspace':
      return ObjectType.VSpace;
    case 'page_table':
      return ObjectType.PageTable;
    case 'frame':
      return o.sizeBits === 12 ? ObjectType.SmallPage : o.sizeBits === 21 ? ObjectType.LargePage : ObjectType.HugePage;
    case 'irq':
      return undefined;
  }
}

/** The size argument of Untyped_Retype: a CNode's radix, an SC's size; 0 for fixed-size types. */
export function retypeSizeArg(o: SpecObject): number {
  return o.kind === 'cnode' ? o.radix : o.kind === 'sched_context' ? o.sizeBits : 0;
}

/** log2 of an object's size in bytes in the Spec's kernel configuration (0 for IRQ handlers). */
export function specObjectSizeBits(o: SpecObject, kernel: Spec['kernel']): number {
  const type = objectTypeOf(o);
  if (type === undefined) return 0;
  const config: KernelModelConfig = { hypervisor: kernel.hypervisor, hardwareDebugApi: kernel.hardwareDebugApi, debugBuild: kernel.debugBuild, paBits: kernel.paBits, smp: false };
  return objectSizeBits(type, retypeSizeArg(o), config)!;
}
