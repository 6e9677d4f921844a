/**
 * Kernel objects: each sits at a physical address in RAM (it was retyped from an untyped)
 * and has a size of 2^sizeBits bytes. The state that IPC, scheduling and mapping need is
 * added to these classes by the modules that implement them.
 */
export abstract class KernelObject {
  constructor(
    readonly paddr: number,
    readonly sizeBits: number,
  ) {}

  /** Whether the object's memory lies inside [base, base + 2^bits). */
  within(base: number, bits: number): boolean {
    return this.paddr >= base && this.paddr + 2 ** this.sizeBits <= base + 2 ** bits;
  }
}

export class UntypedObject extends KernelObject {
  constructor(
    paddr: number,
    sizeBits: number,
    readonly isDevice: boolean,
  ) {
    super(paddr, sizeBits);
  }
}

export class EndpointObject extends KernelObject {}
export class NotificationObject extends KernelObject {}
export class ReplyObject extends KernelObject {}
export class TcbObject extends KernelObject {}
export class SchedContextObject extends KernelObject {}

export class FrameObject extends KernelObject {
  constructor(
    paddr: number,
    sizeBits: number,
    readonly isDevice: boolean,
  ) {
    super(paddr, sizeBits);
  }
}

export class PageTableObject extends KernelObject {}
export class VSpaceObject extends KernelObject {}
export class AsidPoolObject extends KernelObject {
  /** The VSpace assigned to each of the pool's 512 ASIDs. */
  readonly entries: (VSpaceObject | undefined)[] = new Array<VSpaceObject | undefined>(512).fill(undefined);
}
export class VcpuObject extends KernelObject {}
