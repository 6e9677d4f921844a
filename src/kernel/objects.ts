import { newUserContext, type UserContext } from '../machine/cpu/context.js';
import { CNode, type Slot } from './cspace.js';
import type { Fault } from './faults.js';
import { KernelObject } from './kernel-object.js';

/** FaultIP values within ±2^53 are kept as numbers. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export { KernelObject } from './kernel-object.js';

/**
 * Kernel objects and the state seL4 keeps in them (MCS): thread states and queues, the
 * reply call stack, scheduling contexts with their refills. The functions that change this
 * state live in ipc.ts, notification.ts, scheduler.ts and sched-context.ts.
 */

export class UntypedObject extends KernelObject {
  constructor(
    paddr: number,
    sizeBits: number,
    readonly isDevice: boolean,
  ) {
    super(paddr, sizeBits);
  }
}

export const enum EndpointState {
  Idle = 0,
  Send = 1,
  Recv = 2,
}

export class EndpointObject extends KernelObject {
  state = EndpointState.Idle;
  /** Blocked senders or receivers, in seL4's order (priority, then FIFO). */
  readonly queue: TcbObject[] = [];
}

export const enum NotificationState {
  Idle = 0,
  Waiting = 1,
  Active = 2,
}

export class NotificationObject extends KernelObject {
  state = NotificationState.Idle;
  /** The message identifier: the OR of the badges signalled since the last wait. */
  word = 0n;
  readonly queue: TcbObject[] = [];
  boundTcb: TcbObject | undefined = undefined;
  sc: SchedContextObject | undefined = undefined;
}

/**
 * A reply object. `tcb` is the caller blocked on it (BlockedOnReply) or the receiver that
 * offered it (BlockedOnReceive). With a donated scheduling context it is on that context's
 * call stack: `prev` is the reply below it, `next` the reply above, or the scheduling
 * context itself when this reply is the head of the stack.
 */
export class ReplyObject extends KernelObject {
  tcb: TcbObject | undefined = undefined;
  prev: ReplyObject | undefined = undefined;
  next: ReplyObject | SchedContextObject | undefined = undefined;
}

export const enum ThreadState {
  Inactive = 0,
  Running = 1,
  Restart = 2,
  BlockedOnReceive = 3,
  BlockedOnSend = 4,
  BlockedOnReply = 5,
  BlockedOnNotification = 6,
  IdleThreadState = 7,
}

/** How seL4's scheduler dump names each state. */
export const THREAD_STATE_NAMES = ['inactive', 'running', 'restart', 'blocked on recv', 'blocked on send', 'blocked on reply', 'blocked on ntfn', 'idle'] as const;

/** The slots of a TCB's own CNode (tcb_cnode_index). */
export const enum TcbSlot {
  CTable = 0,
  VTable = 1,
  Buffer = 2,
  FaultHandler = 3,
  TimeoutHandler = 4,
}

/**
 * A CSpace walk of zero guards that ended in `cnode` after one or two levels: from the root cap
 * `root` (and, for two levels, through `slot`, which held `cap`), every cptr in
 * [base, base + size) names slot `cptr − base` of `cnode`. It stays true while the thread's
 * root is the same cap record and `slot` still holds `cap`: caps are replaced, never changed.
 */
export interface CSpaceMemo {
  root: unknown;
  slot: Slot | undefined;
  cap: unknown;
  cnode: CNode | undefined;
  base: number;
  size: number;
}

export class TcbObject extends KernelObject {
  /** The caps a TCB holds: CSpace and VSpace roots, IPC buffer frame, fault and timeout handlers. */
  readonly ctes: CNode;
  /** Registers while the thread is not on the CPU (the running thread's are in the CPU). */
  readonly context: UserContext = newUserContext();
  /**
   * Where a restarted thread resumes: the SVC or the faulting instruction. Set on every
   * kernel entry, so kept as a number (`setFaultIP`) unless it lies beyond ±2^53.
   */
  get faultIP(): bigint {
    return this.faultIPWide ?? BigInt(this.faultIPNumber);
  }
  set faultIP(v: bigint) {
    if (v >= -MAX_SAFE && v <= MAX_SAFE) this.setFaultIP(Number(v));
    else this.faultIPWide = v;
  }
  setFaultIP(v: number): void {
    this.faultIPNumber = v;
    this.faultIPWide = undefined;
  }
  private faultIPNumber = 0;
  private faultIPWide: bigint | undefined = undefined;
  state = ThreadState.Inactive;

  /** BlockedOnSend / BlockedOnReceive / BlockedOnNotification: what the thread waits on. */
  blockingObject: EndpointObject | NotificationObject | undefined = undefined;
  blockingBadge = 0n;
  blockingCanGrant = false;
  blockingCanGrantReply = false;
  blockingIsCall = false;
  /** BlockedOnReceive: the reply object offered; BlockedOnReply: the one the caller waits on. */
  replyObject: ReplyObject | undefined = undefined;

  fault: Fault | undefined = undefined;
  priority = 0;
  mcp = 0;
  domain = 0;
  sc: SchedContextObject | undefined = undefined;
  /** The scheduling context this thread yielded to (SchedContext_YieldTo). */
  yieldTo: SchedContextObject | undefined = undefined;
  boundNotification: NotificationObject | undefined = undefined;
  ipcBuffer = 0n;
  /** The low 32 bits of `ipcBuffer`, unsigned (set with it). */
  ipcBufferLow = 0;
  /** lookupIPCBuffer's answer for the buffer cap it was computed from (state.ts). */
  ipcCacheCap: unknown = undefined;
  ipcCacheLow = -1;
  ipcCacheRead: number | undefined = undefined;
  ipcCacheWrite: number | undefined = undefined;
  /** The fast paths' memo of the CNode its cap lookups last ended in (fastpath.ts). */
  readonly cspaceMemo: CSpaceMemo = { root: undefined, slot: undefined, cap: undefined, cnode: undefined, base: 0, size: 0 };
  /** setVMRoot's memo: the VSpace cap found valid, and the ASID table's generation then (state.ts). */
  validVSpaceCap: unknown = undefined;
  validVSpaceGeneration = -1;
  flags = 0n;
  /** seL4_DebugNameThread's name, for traces and fault reports. */
  name = '';

  /** In a ready queue (tcbQueued) / in the release queue (tcbInReleaseQueue). */
  queued = false;
  inReleaseQueue = false;

  /** What this thread has done, for `--stats`. */
  readonly stats = { syscalls: 0, ipcs: 0, signals: 0, faults: 0 };

  constructor(paddr: number, sizeBits: number) {
    super(paddr, sizeBits);
    this.ctes = new CNode(3, paddr);
  }
}

/** A refill: `amount` ticks of budget usable from time `time`. */
export interface Refill {
  time: number;
  amount: number;
}

export class SchedContextObject extends KernelObject {
  /** Budget and period in timer ticks; period 0 marks a round-robin context. */
  budget = 0;
  period = 0;
  /** The refills, head first; at most `refillMax` (0: never configured). */
  readonly refills: Refill[] = [];
  refillMax = 0;
  sporadic = false;
  /** Reported in timeout faults. */
  badge = 0n;
  /** Ticks consumed since the last SchedContext_Consumed or timeout fault. */
  consumed = 0;
  core = 0;
  tcb: TcbObject | undefined = undefined;
  /** The head of this context's call stack of replies. */
  reply: ReplyObject | undefined = undefined;
  notification: NotificationObject | undefined = undefined;
  /** The thread that yielded to this context. */
  yieldFrom: TcbObject | undefined = undefined;
}

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
