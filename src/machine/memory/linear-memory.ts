/**
 * One `WebAssembly.Memory` per machine: guest RAM and the CPU's soft TLB, so that compiled
 * WebAssembly reads and writes guest memory and probes the TLB inline, and JavaScript (the
 * interpreter, the JavaScript block compiler, the kernel model, loaders, devices' DMA) works on
 * the very same bytes.
 *
 * Layout (byte offsets into `memory.buffer`; everything below RAM_START is fixed):
 *
 *   [0, 4096)                        header: i32 at 0 (CURRENT_SET) = offset of the current
 *                                    ASID's TLB set, written by `Cpu.selectAsid`;
 *                                    [CPU_STATE, 4096): the CPU's register file and compiled
 *                                    code's exit words (wasm/layout.ts).
 *   setOffset(k) = 4096 + k * TLB_SET_BYTES, k < TLB_SETS: one TLB set (the translations of
 *                                    one ASID), TLB_SIZE entries, entry i at:
 *     + TLB_R_TAG  + 8 i   f64  read tag      + TLB_R_BASE + 4 i   i32  read page's RAM offset
 *     + TLB_W_TAG  + 8 i   f64  write tag     + TLB_W_BASE + 4 i   i32  write page's RAM offset
 *     + TLB_F_TAG  + 8 i   f64  fetch tag     + TLB_F_BASE + 4 i   i32  fetch page's RAM offset
 *   [RAM_START, byteLength)          RAM, handed out by `allocate` in first-touch order:
 *                                    `PhysicalMemory` takes 2 MiB chunks, `FlatSpace` pages.
 *
 * A RAM page is identified by its RAM offset: a multiple of 4096 below 2^31 (an i32, a Smi in
 * JavaScript), the page's absolute byte offset in the memory minus RAM_START. JavaScript reads
 * RAM through `view`/`bytes`, which start at RAM_START, so a page is `view` at its RAM offset
 * (`PhysPage.view`, `PhysPage.base`); WebAssembly adds RAM_START in the load's or store's
 * memarg offset, at no cost. (Offsets relative to RAM_START keep a whole 2 GiB board below
 * 2^31 with the TLB in front of it.)
 *
 * Probing (what the JavaScript tier inlines, and a WebAssembly tier does the same way), for an
 * access of `size` bytes at virtual address va (an i64), in the set at S = i32[CURRENT_SET]:
 *   i   = (va >> 12) & TLB_MASK                        (VA bits 21:12)
 *   hit = f64[S + TAG + 8 i] == f64.convert_i64_s(i64.shr_s(va, 12))  &&  (va & 4095) + size <= 4096
 *   at  = RAM_START + i32[S + BASE + 4 i] + (va & 4095)  (little-endian, any alignment)
 * A tag is the virtual page number, formed in JavaScript from the address halves as
 * `hi * 2^20 + (lo >>> 12)` with `hi` signed: the arithmetic shift above, exact in an f64.
 * (Entries are only filled for addresses that translate, all far below 2^63.) An empty entry
 * is −1 (TLB_EMPTY), which no filled page number equals. The read, write and fetch
 * halves are separate: a read entry means the page may be read, a write entry that it may be
 * written, a fetch entry that it may be executed (permissions were checked at the fill). Only
 * RAM of this memory is ever entered in the read and write halves: device pages, pages a
 * debugger watches, and (write half) pages holding decoded instructions never are, so those
 * accesses always miss. A fetch entry of a page outside this memory (only hand-made address
 * spaces in tests have them) has base −1. Entries only change in JavaScript: fills in the miss
 * path and invalidations (TLBI, ASID switch, page remaps, code written).
 *
 * A miss (or a page-crossing access) calls the CPU's own access instead: `Cpu.load8/16/32`
 * (value returned as int32; 8 and 16 zero-extended), `Cpu.load64` (into `cpu.l64lo/l64hi`),
 * `Cpu.store8/16/32/64`, `Cpu.probeWrite` before a multi-word store. They translate, check
 * watchpoints, run devices, fill the entry when it may be cached, and throw `MemoryFault` (or
 * the watchpoint stop) for compiled code's caller to attribute. After a store through the miss
 * path, compiled code must check `cpu.codeChanged` and leave when it is set (the store hit a
 * page holding code, a device ended the run, or the memory grew), as the JavaScript tier does.
 *
 * Size: the memory has its full size (RAM_START + maxRam) from the start and never grows. It
 * is a shared `WebAssembly.Memory` (the threads proposal's; Node and Chromium have it, without
 * cross-origin isolation too), which reserves its size as address space and which Linux backs
 * only where written: an idle 2 GiB board adds about 0.1 MiB of RSS, and V8 does not count it
 * as external memory (measured: 3,000 shared 2 GiB memories created in 0.6 s without a single
 * full garbage collection, where each unshared one costs a full collection of 15-18 ms). Never
 * growing means no buffer is ever detached and no view ever taken again:
 *   - the CPU's register file lives in the header (layout.ts CPU_STATE): `Cpu.R`, `Cpu.V8`… are
 *     views of it and compiled WebAssembly loads and stores the same bytes, nothing copied;
 *   - the RAM view (`view`) covers all RAM, so a page allocated late is reached through the
 *     same DataView that compiled JavaScript took at its start;
 *   - V8's array-buffer-detaching protector stays intact (the first detach in a process makes
 *     optimised code check for detachment on every typed-array access; measured, benchmark
 *     programs were 5-15 % slower after one).
 * A host without shared memory (a browser page that is not cross-origin isolated may lack it)
 * gets an unshared memory of the same size: V8 then runs a full garbage collection when it is
 * created, and a browser on a small device may refuse 2 GiB, which is reported.
 *
 * A wasm32 memory holds at most 4 GiB; i32 RAM offsets limit RAM here to 2 GiB.
 */

const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Byte offsets of a TLB set's arrays within the set. */
export const TLB_R_TAG = 0;
export const TLB_W_TAG = TLB_R_TAG + 8 * TLB_SIZE;
export const TLB_F_TAG = TLB_W_TAG + 8 * TLB_SIZE;
export const TLB_R_BASE = TLB_F_TAG + 8 * TLB_SIZE;
export const TLB_W_BASE = TLB_R_BASE + 4 * TLB_SIZE;
export const TLB_F_BASE = TLB_W_BASE + 4 * TLB_SIZE;
export const TLB_SET_BYTES = TLB_F_BASE + 4 * TLB_SIZE;
/** TLB sets in a memory: ASIDs beyond this many evict the oldest set (a Microkit system has at most 63 PDs). */
export const TLB_SETS = 64;
/** Where the offset of the current TLB set is (an i32). */
export const CURRENT_SET = 0;
/** Where the header's room for compiled code's state starts (it ends at 4096). */
export const CPU_STATE = 256;
const TLB_HEADER = 4096;

/** An empty TLB tag: no virtual page number equals it. */
export const TLB_EMPTY = -1;

/**
 * `WebAssembly.Memory`, typed here: the project's `lib` (ES2022, no DOM) and @types/node do
 * not declare the WebAssembly API, which Node and browsers both provide. `buffer` is a
 * SharedArrayBuffer when the memory is shared; it is typed as an ArrayBuffer because every
 * view the project takes of it (typed arrays, DataView) works the same on both, and the
 * project's code never uses what only one of them has (`transfer`, `resize`, `grow`).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
interface WasmMemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}
const WasmMemoryClass = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory } }).WebAssembly.Memory;

const WASM_PAGE = 65536;
/** Where RAM starts: after the TLB sets, at a WebAssembly page. */
export const RAM_START = Math.ceil((TLB_HEADER + TLB_SETS * TLB_SET_BYTES) / WASM_PAGE) * WASM_PAGE;
/** RAM offsets are i32 (see above): at most 2 GiB of RAM. */
export const MAX_RAM = 2 ** 31;

/**
 * A shared `WebAssembly.Memory` of `pages` pages of 64 KiB, or undefined where the host has
 * none (see "Size" above).
 */
function sharedMemory(pages: number): WasmMemory | undefined {
  try {
    return new WasmMemoryClass({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined;
  }
}

/** An unshared memory of `pages` pages, or a message saying that the host refused it. */
function unsharedMemory(pages: number): WasmMemory {
  try {
    return new WasmMemoryClass({ initial: pages, maximum: pages });
  } catch (err) {
    throw new RangeError(`cannot reserve ${Math.round((pages * WASM_PAGE) / 2 ** 20)} MiB for the machine's memory: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The typed arrays of one TLB set, over the memory. */
export interface TlbArrays {
  /** Byte offset of the set in the memory. */
  offset: number;
  rTag: Float64Array<ArrayBuffer>;
  wTag: Float64Array<ArrayBuffer>;
  fTag: Float64Array<ArrayBuffer>;
  rBase: Int32Array<ArrayBuffer>;
  wBase: Int32Array<ArrayBuffer>;
  fBase: Int32Array<ArrayBuffer>;
}

export class LinearMemory {
  /** The `WebAssembly.Memory`: what compiled modules import. */
  readonly memory: WasmMemory;
  /** RAM, from RAM_START (a RAM page is `view` at its RAM offset): all of it, for the memory's life. */
  readonly view: DataView<ArrayBuffer>;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** End of the RAM handed out. */
  private top = RAM_START;
  /** The header's first words (CURRENT_SET). */
  private readonly header: Int32Array<ArrayBuffer>;
  /** Whether the memory is shared (see "Size" above); an unshared one works the same. */
  readonly shared: boolean;
  /** Whether a CPU keeps its register file in this memory's header (at most one may). */
  registerFileTaken = false;

  /**
   * `maxRam`: the RAM `allocate` hands out (the board's RAM size, or less); `shared: false`
   * makes an unshared memory (what a host without shared memory gets; tests use it to check
   * that path).
   */
  constructor(
    readonly maxRam: number = MAX_RAM,
    options: { shared?: boolean } = {},
  ) {
    if (!(maxRam >= 0 && maxRam <= MAX_RAM)) throw new RangeError(`RAM of ${maxRam} bytes does not fit a linear memory (at most ${MAX_RAM} bytes)`);
    const pages = (RAM_START + Math.ceil(maxRam / WASM_PAGE) * WASM_PAGE) / WASM_PAGE;
    let memory = options.shared === false ? undefined : sharedMemory(pages);
    this.shared = memory !== undefined;
    memory ??= unsharedMemory(pages);
    this.memory = memory;
    this.header = new Int32Array(memory.buffer, 0, CPU_STATE >> 2);
    this.view = new DataView(memory.buffer, RAM_START);
    this.bytes = new Uint8Array(memory.buffer, RAM_START);
  }

  /** RAM handed out so far, in bytes. */
  get allocated(): number {
    return this.top - RAM_START;
  }

  /** `size` bytes of zeroed RAM (a multiple of 4096): returns their RAM offset. */
  allocate(size: number): number {
    const at = this.top;
    if (at + size > RAM_START + this.maxRam) throw new RangeError(`out of memory: more than ${this.maxRam / 2 ** 20} MiB of RAM touched`);
    this.top += size;
    return at - RAM_START;
  }

  /** Byte offset of TLB set `k`. */
  setOffset(k: number): number {
    return TLB_HEADER + k * TLB_SET_BYTES;
  }

  /** The arrays of TLB set `k` over the memory, emptied. */
  tlbSet(k: number): TlbArrays {
    const offset = this.setOffset(k);
    const buffer = this.memory.buffer;
    const set: TlbArrays = {
      offset,
      rTag: new Float64Array(buffer, offset + TLB_R_TAG, TLB_SIZE),
      wTag: new Float64Array(buffer, offset + TLB_W_TAG, TLB_SIZE),
      fTag: new Float64Array(buffer, offset + TLB_F_TAG, TLB_SIZE),
      rBase: new Int32Array(buffer, offset + TLB_R_BASE, TLB_SIZE),
      wBase: new Int32Array(buffer, offset + TLB_W_BASE, TLB_SIZE),
      fBase: new Int32Array(buffer, offset + TLB_F_BASE, TLB_SIZE),
    };
    set.rTag.fill(TLB_EMPTY);
    set.wTag.fill(TLB_EMPTY);
    set.fTag.fill(TLB_EMPTY);
    return set;
  }

  /** The byte offset of the TLB set of the current ASID (for compiled code). */
  get currentSetOffset(): number {
    return this.header[CURRENT_SET >> 2]!;
  }

  set currentSetOffset(offset: number) {
    this.header[CURRENT_SET >> 2] = offset;
  }

  /** The 4096 bytes of the page at RAM offset `offset`. */
  page(offset: number): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(offset, offset + 4096);
  }
}
