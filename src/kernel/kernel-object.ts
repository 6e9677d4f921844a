/**
 * Kernel objects: each sits at a physical address in RAM (it was retyped from an untyped)
 * and has a size of 2^sizeBits bytes.
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
