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
 *                                    [CPU_STATE, 4096) is free for compiled code's own state
 *                                    (a register file copy, exit words). Nothing JavaScript
 *                                    keeps across calls may live in the memory apart from
 *                                    RAM and the TLB: growth detaches every view (below).
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
 * Growth: the memory starts with room for some RAM (RUN_INITIAL_RAM, 64 MiB, for a board or a
 * `machine exec` program; INITIAL_RAM, 2 MiB, by default) and grows (at least
 * doubling, up to RAM_START + 2^31 bytes) when `allocate` needs more, so an idle 2 GiB board
 * holds only what its guest touched (and Linux backs only the pages written: an idle board
 * adds about 0.1 MiB of RSS). Ordinary runs never grow: in V8 the first detached buffer of a
 * process turns off the guarantee that lets optimised code skip a detached check on every
 * typed-array and DataView access (the array-buffer-detaching protector): measured, benchmark
 * programs take 5–15 % more CPU time once any buffer was detached. A `WebAssembly.Memory` detaches its old buffer when
 * it grows: `view`, `bytes` and every typed array over the memory must then be taken again.
 * `onGrow` listeners do that
 * (the CPU retakes its TLB arrays and sets `codeChanged`; PhysicalMemory and FlatSpace retake
 * their pages' views), and `generation` counts the growths. Growth happens only inside a miss
 * (a translation that first touches RAM), never in a fast path: JavaScript compiled code still
 * holding the old arrays finds them empty (a detached typed array reads undefined), so every
 * access it makes misses until it leaves, which the next store does. WebAssembly code sees the
 * new size at once; only its JavaScript-side views need retaking.
 *
 * Why not reserve all RAM up front (`initial` sized to RAM)? Linux would back only touched
 * pages (measured: an idle 2 GiB memory costs about 1.5 MiB of RSS), but V8 counts the whole
 * memory as external memory and runs a full garbage collection for each such allocation
 * (measured: 15–18 ms per 2 GiB memory against 0.3–1 ms for a small one; the tests create
 * thousands of machines), and a browser may refuse a 2 GiB allocation on a 32-bit or small
 * device. A wasm32 memory holds at most 4 GiB; i32 RAM offsets limit RAM here to 2 GiB.
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
 * not declare the WebAssembly API, which Node and browsers both provide.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
const WasmMemoryClass = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory } }).WebAssembly.Memory;

const WASM_PAGE = 65536;
/** Where RAM starts: after the TLB sets, at a WebAssembly page. */
export const RAM_START = Math.ceil((TLB_HEADER + TLB_SETS * TLB_SET_BYTES) / WASM_PAGE) * WASM_PAGE;
/** RAM offsets are i32 (see above): at most 2 GiB of RAM. */
export const MAX_RAM = 2 ** 31;
const MAX_BYTES = RAM_START + MAX_RAM;
/**
 * RAM a memory has room for when created, by default: cheap to create (V8 runs a full garbage
 * collection whenever 64 MiB of external memory have been allocated since the last one, so a
 * test that creates thousands of CPUs wants small memories). A board, and a Linux program run
 * by `machine exec`, ask for RUN_INITIAL_RAM instead, so that ordinary runs never grow.
 */
export const INITIAL_RAM = 2 * 1024 * 1024;
export const RUN_INITIAL_RAM = 64 * 1024 * 1024;

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
  /** RAM, from RAM_START (a RAM page is `view` at its RAM offset). Taken again when the memory grows. */
  view: DataView<ArrayBuffer>;
  bytes: Uint8Array<ArrayBuffer>;
  /** How often the memory grew. */
  generation = 0;
  /** End of the RAM handed out. */
  private top = RAM_START;
  private readonly listeners: (() => void)[] = [];

  /**
   * `maxRam`: the most RAM `allocate` hands out (the board's RAM size, or less); `initialRam`:
   * the room for RAM before the memory first grows.
   */
  constructor(
    readonly maxRam: number = MAX_RAM,
    initialRam = INITIAL_RAM,
  ) {
    if (!(maxRam >= 0 && maxRam <= MAX_RAM)) throw new RangeError(`RAM of ${maxRam} bytes does not fit a linear memory (at most ${MAX_RAM} bytes)`);
    const bytes = RAM_START + Math.ceil(Math.min(initialRam, maxRam) / WASM_PAGE) * WASM_PAGE;
    this.memory = new WasmMemoryClass({ initial: bytes / WASM_PAGE, maximum: MAX_BYTES / WASM_PAGE });
    this.view = new DataView(this.memory.buffer, RAM_START);
    this.bytes = new Uint8Array(this.memory.buffer, RAM_START);
  }

  /** RAM handed out so far, in bytes. */
  get allocated(): number {
    return this.top - RAM_START;
  }

  /**
   * `size` bytes of zeroed RAM (a multiple of 4096): returns their RAM offset. Grows the
   * memory when needed (see above: listeners run before this returns).
   */
  allocate(size: number): number {
    const at = this.top;
    if (at + size > RAM_START + this.maxRam) throw new RangeError(`out of memory: more than ${this.maxRam / 2 ** 20} MiB of RAM touched`);
    this.top += size;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const want = Math.min(MAX_BYTES, Math.max(this.top, 2 * have));
      this.memory.grow(Math.ceil((want - have) / WASM_PAGE));
      this.view = new DataView(this.memory.buffer, RAM_START);
      this.bytes = new Uint8Array(this.memory.buffer, RAM_START);
      this.generation++;
      for (const l of this.listeners) l();
    }
    return at - RAM_START;
  }

  /** Call `fn` after each growth, once `view` and `bytes` are new. */
  onGrow(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Byte offset of TLB set `k`. */
  setOffset(k: number): number {
    return TLB_HEADER + k * TLB_SET_BYTES;
  }

  /** The arrays of TLB set `k` over the memory as it is now; emptied when `empty`. */
  tlbSet(k: number, empty = true): TlbArrays {
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
    if (empty) {
      set.rTag.fill(TLB_EMPTY);
      set.wTag.fill(TLB_EMPTY);
      set.fTag.fill(TLB_EMPTY);
    }
    return set;
  }

  /** The byte offset of the TLB set of the current ASID (for compiled code). */
  get currentSetOffset(): number {
    return new DataView(this.memory.buffer).getInt32(CURRENT_SET, true);
  }

  set currentSetOffset(offset: number) {
    new DataView(this.memory.buffer).setInt32(CURRENT_SET, offset, true);
  }

  /** The 4096 bytes of the page at RAM offset `offset`. */
  page(offset: number): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(offset, offset + 4096);
  }
}
