import { describe, expect, it } from 'vitest';
import type { Cap } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { FaultType } from '../src/kernel/faults.js';
import { cancelAllIPC, cancelBadgedSends, cancelIPC, doReplyTransfer, handleFault, isValidFaultHandler, lookupExtraCaps, receiveIPC, sendIPC, sendTimeoutFault } from '../src/kernel/ipc.js';
import { MICROKIT_DEBUG } from '../src/kernel/object-types.js';
import { EndpointObject, EndpointState, FrameObject, NotificationObject, PageTableObject, ReplyObject, SchedContextObject, TcbObject, TcbSlot, ThreadState } from '../src/kernel/objects.js';
import { KernelState } from '../src/kernel/state.js';
import { IPC_BUFFER, messageInfoFromWord, messageInfoToWord } from '../src/kernel/syscalls.js';
import type { KernelPort } from '../src/machine/kernel-interface.js';
import { PhysicalMemory } from '../src/machine/memory/physical-memory.js';

/**
 * Endpoint IPC step by step (src/kernel/ipc.ts) against seL4's MCS source: sendIPC,
 * receiveIPC, doIPCTransfer, transferCaps, cancelIPC, cancelAllIPC and cancelBadgedSends in
 * src/object/endpoint.c and src/kernel/ipc.c (the transfers), reply_push, reply_pop,
 * reply_remove and reply_remove_tcb in src/object/reply.c, doReplyTransfer and
 * handleFaultReply in src/kernel/thread.c and src/api/faults.c. Threads are not on the CPU:
 * their registers are in their TCBs, their IPC buffers in RAM.
 */

const RAM = 0x4000_0000;
let nextAddress = RAM;
const alloc = (bytes: number) => (nextAddress += bytes) - bytes;

/** A kernel whose console output collects in `out.text`. */
function kernel(): { k: KernelState; out: { text: string } } {
  const k = new KernelState(MICROKIT_DEBUG);
  const out = { text: '' };
  const memory = new PhysicalMemory(RAM, 0x100_0000);
  k.port = { memory, setTimer: () => undefined, putChar: (b: number) => (out.text += String.fromCharCode(b)) } as unknown as KernelPort;
  nextAddress = RAM;
  return { k, out };
}

interface ThreadOpts {
  buffer?: 'read-write' | 'read-only' | 'none';
  sc?: boolean;
  priority?: number;
}

/** A thread with a 16-slot CSpace (a guard that makes a cptr resolve in all 64 bits) and an IPC buffer. */
function thread(_k: KernelState, name: string, opts: ThreadOpts = {}): TcbObject {
  const t = new TcbObject(alloc(0x800), 11);
  t.name = name;
  t.priority = opts.priority ?? 100;
  t.state = ThreadState.Running;
  const cnode = new CNode(4, alloc(0x400));
  t.ctes.slots[TcbSlot.CTable]!.cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 60 };
  const rights = opts.buffer ?? 'read-write';
  if (rights !== 'none') {
    const frame = new FrameObject(alloc(0x1000), 12, false);
    t.ctes.slots[TcbSlot.Buffer]!.cap = { type: CapType.Frame, obj: frame, rights, mapping: undefined };
  }
  if (opts.sc ?? true) {
    const sc = new SchedContextObject(alloc(0x100), 8);
    sc.refillMax = 2;
    sc.refills.push({ time: 0, amount: 10_000 }, { time: 0, amount: 0 });
    sc.tcb = t;
    t.sc = sc;
  }
  return t;
}

const cspace = (t: TcbObject) => (t.ctes.slots[TcbSlot.CTable]!.cap as Extract<Cap, { type: CapType.CNode }>).cnode;
const buffer = (k: KernelState, t: TcbObject) => k.ipcBuffer(t, false)!;
const epCap = (ep: EndpointObject, rights: Partial<{ badge: bigint; canSend: boolean; canReceive: boolean; canGrant: boolean; canGrantReply: boolean }> = {}): Cap => ({
  type: CapType.Endpoint,
  obj: ep,
  badge: 0n,
  canSend: true,
  canReceive: true,
  canGrant: true,
  canGrantReply: true,
  ...rights,
});

/** Set up a message: label and length in x1, MRs 0–3 in x2–x5, the rest in the IPC buffer. */
function message(k: KernelState, t: TcbObject, label: bigint, words: bigint[], extraCaps = 0): void {
  k.setReg(t, 1, messageInfoToWord({ label, capsUnwrapped: 0, extraCaps, length: words.length }));
  words.forEach((w, i) => {
    if (i < 4) k.setReg(t, 2 + i, w);
    else if (k.ipcBuffer(t, false) !== undefined) k.memory.write64(buffer(k, t) + IPC_BUFFER.msg + 8 * i, w);
  });
}

const info = (k: KernelState, t: TcbObject) => messageInfoFromWord(k.reg(t, 1));
const mr = (k: KernelState, t: TcbObject, i: number) => k.getMR(t, k.ipcBuffer(t, false), i);

describe('sendIPC and receiveIPC', () => {
  it('a long message crosses from registers and buffer to registers and buffer, with the badge in x0', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const server = thread(k, 'server');
    const client = thread(k, 'client');
    receiveIPC(k, server, ep, true, undefined, () => false);
    expect(server.state).toBe(ThreadState.BlockedOnReceive);
    expect(ep.state).toBe(EndpointState.Recv);
    message(k, client, 7n, [1n, 2n, 3n, 4n, 5n, 6n]);
    sendIPC(k, true, false, { badge: 0x42n, canGrant: false, canGrantReply: false }, false, client, ep);
    expect(ep.state).toBe(EndpointState.Idle);
    expect(server.state).toBe(ThreadState.Running);
    expect(info(k, server)).toEqual({ label: 7n, capsUnwrapped: 0, extraCaps: 0, length: 6 });
    expect([0, 1, 2, 3, 4, 5].map((i) => mr(k, server, i))).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(k.reg(server, 0)).toBe(0x42n);
  });
});

/** An endpoint `server` waits on, offering `reply` (if any). */
function waiting(k: KernelState, server: TcbObject, reply?: ReplyObject): EndpointObject {
  const ep = new EndpointObject(alloc(0x10), 4);
  receiveIPC(k, server, ep, true, reply, () => false);
  return ep;
}

const all = { badge: 0n, canGrant: true, canGrantReply: true };

describe('sendIPC and receiveIPC: blocking, non-blocking, queues', () => {
  it('a non-blocking send with no receiver does nothing; a non-blocking receive with no sender writes 0 to x0 (doNBRecvFailedTransfer)', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const t = thread(k, 't');
    sendIPC(k, false, false, all, false, t, ep);
    expect([t.state, ep.state, ep.queue.length]).toEqual([ThreadState.Running, EndpointState.Idle, 0]);
    k.setReg(t, 0, 0x1234n);
    receiveIPC(k, t, ep, false, undefined, () => false);
    expect([t.state, ep.state, ep.queue.length, k.reg(t, 0)]).toEqual([ThreadState.Running, EndpointState.Idle, 0, 0n]);
  });

  it('a blocked sender keeps its badge and rights; the endpoint stays in Send until its last sender is received', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const [a, b, server] = [thread(k, 'a'), thread(k, 'b'), thread(k, 'server')];
    message(k, a, 1n, [0xaan]);
    message(k, b, 2n, [0xbbn]);
    sendIPC(k, true, false, { badge: 5n, canGrant: false, canGrantReply: true }, false, a, ep);
    sendIPC(k, true, true, { badge: 6n, canGrant: true, canGrantReply: false }, false, b, ep);
    expect([a.state, a.blockingObject, a.blockingBadge, a.blockingCanGrant, a.blockingCanGrantReply, a.blockingIsCall]).toEqual([ThreadState.BlockedOnSend, ep, 5n, false, true, false]);
    expect([b.blockingBadge, b.blockingCanGrant, b.blockingCanGrantReply, b.blockingIsCall]).toEqual([6n, true, false, true]);
    expect(ep.state).toBe(EndpointState.Send);
    receiveIPC(k, server, ep, true, undefined, () => false);
    expect([k.reg(server, 0), info(k, server).label, mr(k, server, 0)]).toEqual([5n, 1n, 0xaan]);
    expect([a.state, ep.state, ep.queue]).toEqual([ThreadState.Running, EndpointState.Send, [b]]);
    // b called, but the server offered no reply object: b is left inactive.
    receiveIPC(k, server, ep, true, undefined, () => false);
    expect([k.reg(server, 0), info(k, server).label, mr(k, server, 0)]).toEqual([6n, 2n, 0xbbn]);
    expect([b.state, ep.state, ep.queue.length]).toEqual([ThreadState.Inactive, EndpointState.Idle, 0]);
  });

  it('the endpoint stays in Recv until its last receiver is sent to', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const [r1, r2, client] = [thread(k, 'r1'), thread(k, 'r2'), thread(k, 'client')];
    receiveIPC(k, r1, ep, true, undefined, () => false);
    receiveIPC(k, r2, ep, true, undefined, () => false);
    message(k, client, 0n, []);
    sendIPC(k, true, false, all, false, client, ep);
    expect([r1.state, r2.state, ep.state]).toEqual([ThreadState.Running, ThreadState.BlockedOnReceive, EndpointState.Recv]);
    sendIPC(k, true, false, all, false, client, ep);
    expect([r2.state, ep.state]).toEqual([ThreadState.Running, EndpointState.Idle]);
  });

  it('a pending bound notification completes the receive before the endpoint is looked at', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const t = thread(k, 't');
    receiveIPC(k, t, ep, true, undefined, () => true);
    expect([t.state, ep.state, ep.queue.length]).toEqual([ThreadState.Running, EndpointState.Idle, 0]);
  });

  it('counts one IPC for the sender of each transfer', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client')];
    const ep = waiting(k, server);
    message(k, client, 0n, []);
    sendIPC(k, true, false, all, false, client, ep);
    expect([client.stats.ipcs, server.stats.ipcs]).toEqual([1, 0]);
  });
});

describe('messages: copyMRs', () => {
  it('cuts a long message to the 4 registers when the receiver has no IPC buffer, or a read-only one', () => {
    for (const recv of ['none', 'read-only'] as const) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server', { buffer: recv }), thread(k, 'client')];
      const ep = waiting(k, server);
      message(k, client, 3n, [1n, 2n, 3n, 4n, 5n, 6n]);
      sendIPC(k, true, false, all, false, client, ep);
      expect(info(k, server).length).toBe(4);
      expect([0, 1, 2, 3].map((i) => k.reg(server, 2 + i))).toEqual([1n, 2n, 3n, 4n]);
    }
  });

  it('cuts it to 4 as well when the sender has no IPC buffer; a short message is never padded', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client', { buffer: 'none' })];
    const ep = waiting(k, server);
    message(k, client, 3n, [1n, 2n, 3n, 4n, 5n, 6n]);
    sendIPC(k, true, false, all, false, client, ep);
    expect(info(k, server).length).toBe(4);
    receiveIPC(k, server, ep, true, undefined, () => false);
    k.setReg(server, 3, 0x77n);
    message(k, client, 3n, [9n]);
    sendIPC(k, true, false, all, false, client, ep);
    expect([info(k, server).length, k.reg(server, 2), k.reg(server, 3)]).toEqual([1, 9n, 0x77n]);
  });
});

describe('calls and the reply object (reply_push)', () => {
  it('a Call to a waiting passive server blocks the caller on the reply and donates its scheduling context', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, server, reply);
    expect([server.replyObject, reply.tcb]).toEqual([reply, server]);
    const sc = client.sc!;
    message(k, client, 0n, []);
    sendIPC(k, true, true, all, true, client, ep);
    expect([client.state, client.replyObject, reply.tcb, server.replyObject]).toEqual([ThreadState.BlockedOnReply, reply, client, undefined]);
    expect([server.sc, client.sc, sc.tcb, sc.reply, reply.next, reply.prev]).toEqual([sc, undefined, server, reply, sc, undefined]);
  });

  it('no donation to a server with its own scheduling context, or without canDonate; the reply still links', () => {
    for (const [serverSc, canDonate] of [
      [true, true],
      [false, false],
    ] as const) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server', { sc: serverSc }), thread(k, 'client')];
      const reply = new ReplyObject(alloc(0x20), 5);
      const ep = waiting(k, server, reply);
      const [clientSc, serverScBefore] = [client.sc, server.sc];
      message(k, client, 0n, []);
      sendIPC(k, true, true, all, canDonate, client, ep);
      expect([client.state, reply.tcb, client.sc, server.sc, reply.next, clientSc!.reply]).toEqual([ThreadState.BlockedOnReply, client, clientSc, serverScBefore, undefined, undefined]);
    }
  });

  it('a Call through a cap with neither Grant nor GrantReply leaves the caller inactive, the reply unused', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, server, reply);
    message(k, client, 0n, []);
    sendIPC(k, true, true, { badge: 0n, canGrant: false, canGrantReply: false }, true, client, ep);
    expect([client.state, reply.tcb, server.replyObject, server.sc]).toEqual([ThreadState.Inactive, undefined, undefined, undefined]);
  });

  it('a Call with only GrantReply links the reply', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, server, reply);
    message(k, client, 0n, []);
    sendIPC(k, true, true, { badge: 0n, canGrant: false, canGrantReply: true }, true, client, ep);
    expect([client.state, reply.tcb]).toEqual([ThreadState.BlockedOnReply, client]);
  });

  it('a Send (not a Call) to a passive server donates only with canDonate', () => {
    for (const canDonate of [true, false]) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
      const ep = waiting(k, server);
      const sc = client.sc;
      message(k, client, 0n, []);
      sendIPC(k, true, false, all, canDonate, client, ep);
      expect([client.state, server.sc, client.sc]).toEqual(canDonate ? [ThreadState.Running, sc, undefined] : [ThreadState.Running, undefined, sc]);
    }
  });

  it('a server receiving a blocked Call links the reply and takes the caller’s context, unless the caller has none', () => {
    for (const clientSc of [true, false]) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client', { sc: clientSc })];
      const ep = new EndpointObject(alloc(0x10), 4);
      message(k, client, 4n, [0x11n]);
      sendIPC(k, true, true, { badge: 0n, canGrant: false, canGrantReply: true }, true, client, ep);
      const sc = client.sc;
      const reply = new ReplyObject(alloc(0x20), 5);
      receiveIPC(k, server, ep, true, reply, () => false);
      expect([client.state, reply.tcb, client.replyObject, server.sc]).toEqual([ThreadState.BlockedOnReply, client, reply, sc]);
      expect([info(k, server).label, mr(k, server, 0)]).toEqual([4n, 0x11n]);
    }
  });

  it('a server receiving a blocked Call without a reply object, or from a cap without Grant or GrantReply, leaves the caller inactive', () => {
    for (const [canGrantReply, withReply] of [
      [true, false],
      [false, true],
    ] as const) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
      const ep = new EndpointObject(alloc(0x10), 4);
      message(k, client, 0n, []);
      sendIPC(k, true, true, { badge: 0n, canGrant: false, canGrantReply }, true, client, ep);
      const reply = withReply ? new ReplyObject(alloc(0x20), 5) : undefined;
      receiveIPC(k, server, ep, true, reply, () => false);
      expect([client.state, server.sc, reply?.tcb]).toEqual([ThreadState.Inactive, undefined, undefined]);
    }
  });

  it('a server receiving a blocked Send makes the sender runnable again', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client')];
    const ep = new EndpointObject(alloc(0x10), 4);
    message(k, client, 0n, []);
    sendIPC(k, true, false, all, true, client, ep);
    receiveIPC(k, server, ep, true, new ReplyObject(alloc(0x20), 5), () => false);
    expect([client.state, k.action]).toEqual([ThreadState.Running, client]);
  });

  it('receiving with a reply object another thread still waits on cancels that thread’s IPC, and says so', () => {
    const { k, out } = kernel();
    const [server, client, other] = [thread(k, 'server', { sc: false }), thread(k, 'client'), thread(k, 'other')];
    const reply = new ReplyObject(alloc(0x20), 5);
    called(k, server, client, reply);
    expect(client.state).toBe(ThreadState.BlockedOnReply);
    const ep2 = new EndpointObject(alloc(0x10), 4);
    receiveIPC(k, other, ep2, true, reply, () => false);
    expect(out.text).toContain('[receiveIPC/0 ');
    expect(out.text).toContain(']: Reply object already has unexecuted reply!>>');
    expect([client.state, client.replyObject, reply.tcb, other.state]).toEqual([ThreadState.Inactive, undefined, other, ThreadState.BlockedOnReceive]);
    // The same thread offering its own reply again is no error.
    out.text = '';
    const { k: k2, out: out2 } = kernel();
    const t = thread(k2, 't');
    const r = new ReplyObject(alloc(0x20), 5);
    const e = waiting(k2, t, r);
    cancelIPC(k2, t);
    r.tcb = t;
    receiveIPC(k2, t, e, true, r, () => false);
    expect(out2.text).toBe('');
  });
});

/** `client` has called `server` (passive unless it has a context) through a fresh endpoint with `reply`. */
function called(k: KernelState, server: TcbObject, client: TcbObject, reply: ReplyObject): void {
  const ep = waiting(k, server, reply);
  message(k, client, 0n, []);
  sendIPC(k, true, true, all, true, client, ep);
}

describe('replies: doReplyTransfer, reply_pop, reply_remove, reply_remove_tcb', () => {
  it('a reply answers the caller with the message, badge 0, and gives the donated context back', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const sc = client.sc!;
    called(k, server, client, reply);
    message(k, server, 9n, [1n, 2n, 3n, 4n, 5n]);
    k.setReg(client, 0, 0x55n);
    doReplyTransfer(k, server, reply, false);
    expect([client.state, info(k, client).label, info(k, client).length, mr(k, client, 4), k.reg(client, 0)]).toEqual([ThreadState.Running, 9n, 5, 5n, 0n]);
    expect([client.sc, server.sc, sc.tcb, sc.reply, reply.tcb, reply.next, client.replyObject]).toEqual([sc, undefined, client, undefined, undefined, undefined, undefined]);
    // possibleSwitchTo: the scheduler was asked to choose (the server lost its context), so the caller is queued.
    expect(client.queued).toBe(true);
  });

  it('does nothing for a reply object no caller waits on', () => {
    const { k } = kernel();
    const [server, t] = [thread(k, 'server'), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    doReplyTransfer(k, server, reply, false);
    // A receiver offering the reply is not waiting on it.
    waiting(k, t, reply);
    doReplyTransfer(k, server, reply, false);
    expect([t.state, reply.tcb]).toEqual([ThreadState.BlockedOnReceive, t]);
  });

  it('a nested call stack of passive servers unwinds, each reply giving the context back one level', () => {
    const { k } = kernel();
    const [a, b, c] = [thread(k, 'a'), thread(k, 'b', { sc: false }), thread(k, 'c', { sc: false })];
    const [r1, r2] = [new ReplyObject(alloc(0x20), 5), new ReplyObject(alloc(0x20), 5)];
    const sc = a.sc!;
    called(k, b, a, r1);
    called(k, c, b, r2);
    expect([c.sc, sc.reply, r2.prev, r2.next, r1.next, r1.prev]).toEqual([sc, r2, r1, sc, r2, undefined]);
    message(k, c, 0n, []);
    doReplyTransfer(k, c, r2, false);
    expect([b.sc, c.sc, sc.reply, r1.next, r2.prev, r2.next, b.state]).toEqual([sc, undefined, r1, sc, undefined, undefined, ThreadState.Running]);
    message(k, b, 0n, []);
    doReplyTransfer(k, b, r1, false);
    expect([a.sc, b.sc, sc.reply, r1.next, a.state]).toEqual([sc, undefined, undefined, undefined, ThreadState.Running]);
  });

  it('a caller that got a context of its own while waiting keeps it; the donated one stays with the callee', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server', { sc: false }), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const sc = client.sc!;
    called(k, server, client, reply);
    const own = new SchedContextObject(alloc(0x100), 8);
    own.refills.push({ time: 0, amount: 10_000 });
    own.tcb = client;
    client.sc = own;
    message(k, server, 0n, []);
    doReplyTransfer(k, server, reply, false);
    expect([client.sc, server.sc, sc.reply]).toEqual([own, sc, undefined]);
  });

  it('cancelling a caller in the middle of a call stack breaks the stack there (reply_remove_tcb)', () => {
    const { k } = kernel();
    const [a, b, c] = [thread(k, 'a'), thread(k, 'b', { sc: false }), thread(k, 'c', { sc: false })];
    const [r1, r2] = [new ReplyObject(alloc(0x20), 5), new ReplyObject(alloc(0x20), 5)];
    const sc = a.sc!;
    called(k, b, a, r1);
    called(k, c, b, r2);
    a.fault = { type: FaultType.UnknownSyscall, number: 1n };
    cancelIPC(k, a);
    expect([a.state, a.fault, a.replyObject, r1.tcb, r1.next, r1.prev, r2.prev, r2.next, sc.reply]).toEqual([ThreadState.Inactive, undefined, undefined, undefined, undefined, undefined, undefined, sc, r2]);
    // The head: the context forgets its reply; the reply below forgets this one.
    cancelIPC(k, b);
    expect([b.state, r2.tcb, r2.next, sc.reply, c.sc]).toEqual([ThreadState.Inactive, undefined, undefined, undefined, sc]);
  });

  it('cancelling the head of a stack of two unlinks it from the reply below', () => {
    const { k } = kernel();
    const [a, b, c] = [thread(k, 'a'), thread(k, 'b', { sc: false }), thread(k, 'c', { sc: false })];
    const [r1, r2] = [new ReplyObject(alloc(0x20), 5), new ReplyObject(alloc(0x20), 5)];
    const sc = a.sc!;
    called(k, b, a, r1);
    called(k, c, b, r2);
    cancelIPC(k, b);
    expect([r1.next, r2.prev, sc.reply, b.state, a.state]).toEqual([undefined, undefined, undefined, ThreadState.Inactive, ThreadState.BlockedOnReply]);
  });

  it('a caller whose reply object has no context link is cancelled cleanly', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client')];
    const reply = new ReplyObject(alloc(0x20), 5);
    called(k, server, client, reply);
    cancelIPC(k, client);
    expect([client.state, reply.tcb, reply.next, server.sc!.reply]).toEqual([ThreadState.Inactive, undefined, undefined, undefined]);
  });
});

describe('cancellation: cancelIPC, cancelAllIPC, cancelBadgedSends', () => {
  it('cancelIPC takes a receiver off its endpoint, unlinks its reply object and leaves it inactive', () => {
    const { k } = kernel();
    const [r1, r2] = [thread(k, 'r1'), thread(k, 'r2')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, r1, reply);
    receiveIPC(k, r2, ep, true, undefined, () => false);
    cancelIPC(k, r1);
    expect([r1.state, r1.replyObject, reply.tcb, ep.queue, ep.state]).toEqual([ThreadState.Inactive, undefined, undefined, [r2], EndpointState.Recv]);
    cancelIPC(k, r2);
    expect([ep.queue.length, ep.state]).toEqual([0, EndpointState.Idle]);
  });

  it('cancelIPC of a running thread only clears its fault', () => {
    const { k } = kernel();
    const t = thread(k, 't');
    t.fault = { type: FaultType.UnknownSyscall, number: 1n };
    cancelIPC(k, t);
    expect([t.state, t.fault]).toEqual([ThreadState.Running, undefined]);
  });

  it('cancelAllIPC restarts every queued thread (a receiver loses its reply object; one sending a fault becomes inactive)', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const [r, s1, s2] = [thread(k, 'r'), thread(k, 's1'), thread(k, 's2')];
    const reply = new ReplyObject(alloc(0x20), 5);
    receiveIPC(k, r, ep, true, reply, () => false);
    cancelAllIPC(k, ep);
    expect([r.state, r.replyObject, reply.tcb, ep.state, ep.queue.length, k.action]).toEqual([ThreadState.Restart, undefined, undefined, EndpointState.Idle, 0, 'choose']);
    expect(r.queued).toBe(true);
    s2.fault = { type: FaultType.UnknownSyscall, number: 1n };
    sendIPC(k, true, false, all, false, s1, ep);
    sendIPC(k, true, false, all, false, s2, ep);
    cancelAllIPC(k, ep);
    expect([s1.state, s2.state, ep.state, ep.queue.length]).toEqual([ThreadState.Restart, ThreadState.Inactive, EndpointState.Idle, 0]);
  });

  it('cancelAllIPC of an idle endpoint does not ask the scheduler for anything', () => {
    const { k } = kernel();
    cancelAllIPC(k, new EndpointObject(alloc(0x10), 4));
    expect(k.action).toBe('resume');
  });

  it('cancelBadgedSends restarts only the senders with that badge, and leaves a receiving endpoint alone', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const [a, b, c] = [thread(k, 'a'), thread(k, 'b'), thread(k, 'c')];
    sendIPC(k, true, false, { ...all, badge: 1n }, false, a, ep);
    sendIPC(k, true, false, { ...all, badge: 2n }, false, b, ep);
    sendIPC(k, true, false, { ...all, badge: 1n }, false, c, ep);
    cancelBadgedSends(k, ep, 1n);
    expect([a.state, b.state, c.state, ep.queue, ep.state, k.action]).toEqual([ThreadState.Restart, ThreadState.BlockedOnSend, ThreadState.Restart, [b], EndpointState.Send, 'choose']);
    cancelBadgedSends(k, ep, 2n);
    expect([b.state, ep.queue.length, ep.state]).toEqual([ThreadState.Restart, 0, EndpointState.Idle]);
    const { k: k2 } = kernel();
    const ep2 = new EndpointObject(alloc(0x10), 4);
    const r = thread(k2, 'r');
    receiveIPC(k2, r, ep2, true, undefined, () => false);
    r.blockingBadge = 0n;
    cancelBadgedSends(k2, ep2, 0n);
    expect([r.state, ep2.state, k2.action]).toEqual([ThreadState.BlockedOnReceive, EndpointState.Recv, 'resume']);
  });
});

describe('faults: handleFault, sendTimeoutFault, doFaultTransfer, handleFaultReply', () => {
  const faultEp = (t: TcbObject, slot: TcbSlot, ep: EndpointObject, badge: bigint) => (t.ctes.slots[slot]!.cap = epCap(ep, { badge }));

  it('a fault goes to the waiting handler as a message labelled with its type, with the handler cap’s badge; the faulter waits on the reply', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler', { sc: false }), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    faultEp(t, TcbSlot.FaultHandler, ep, 0x77n);
    for (let r = 0; r < 8; r++) k.setReg(t, r, 0x10n + BigInt(r));
    t.fault = { type: FaultType.UnknownSyscall, number: 0x99n };
    const sc = t.sc;
    handleFault(k, t);
    expect([info(k, handler), k.reg(handler, 0), mr(k, handler, 0), mr(k, handler, 7), mr(k, handler, 12)]).toEqual([{ label: BigInt(FaultType.UnknownSyscall), capsUnwrapped: 0, extraCaps: 0, length: 13 }, 0x77n, 0x10n, 0x17n, 0x99n]);
    expect([t.state, reply.tcb, t.stats.faults, handler.sc, t.sc]).toEqual([ThreadState.BlockedOnReply, t, 1, sc, undefined]);
  });

  it('a thread without a fault handler becomes inactive, and the debug kernel says so', () => {
    const { k, out } = kernel();
    const t = thread(k, 'lost');
    t.fault = { type: FaultType.UnknownSyscall, number: 1n };
    handleFault(k, t);
    expect(t.state).toBe(ThreadState.Inactive);
    expect(out.text).toContain('Found thread has no fault handler while trying to handle:\nunknown syscall 0x1');
  });

  it('a Timeout fault goes to the timeout handler without donating, carries the time consumed and clears it', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler', { sc: false }), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    faultEp(t, TcbSlot.TimeoutHandler, ep, 3n);
    t.sc!.consumed = 62_500; // 62.5 MHz ticks: 1000 us
    t.fault = { type: FaultType.Timeout, badge: 0x5cn };
    sendTimeoutFault(k, t);
    expect([info(k, handler).label, info(k, handler).length, k.reg(handler, 0), mr(k, handler, 0), mr(k, handler, 1)]).toEqual([BigInt(FaultType.Timeout), 2, 3n, 0x5cn, 1000n]);
    expect([t.sc!.consumed, t.state, handler.sc, t.stats.faults]).toEqual([0, ThreadState.BlockedOnReply, undefined, 1]);
  });

  it('a handler that is not waiting gets the fault when it receives: the faulter is queued as a sender, not a caller', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
    const ep = new EndpointObject(alloc(0x10), 4);
    t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep, { badge: 4n, canGrant: false, canGrantReply: true });
    t.fault = { type: FaultType.UnknownSyscall, number: 1n };
    handleFault(k, t);
    expect([t.state, t.blockingBadge, t.blockingCanGrant, t.blockingCanGrantReply, t.blockingIsCall]).toEqual([ThreadState.BlockedOnSend, 4n, false, true, false]);
    const reply = new ReplyObject(alloc(0x20), 5);
    receiveIPC(k, handler, ep, true, reply, () => false);
    expect([info(k, handler).label, k.reg(handler, 0), t.state, reply.tcb]).toEqual([BigInt(FaultType.UnknownSyscall), 4n, ThreadState.BlockedOnReply, t]);
  });

  it('a fault reply writes back MIN(length, registers) registers and restarts on label 0; another label leaves the thread inactive', () => {
    for (const label of [0n, 1n]) {
      const { k } = kernel();
      const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
      const reply = new ReplyObject(alloc(0x20), 5);
      const ep = waiting(k, handler, reply);
      t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep);
      for (let r = 0; r < 8; r++) k.setReg(t, r, 0x10n + BigInt(r));
      t.fault = { type: FaultType.UnknownSyscall, number: 1n };
      handleFault(k, t);
      message(k, handler, label, [0xa0n, 0xa1n]);
      k.setReg(handler, 4, 0xeen); // MR 2, beyond the reply's length
      doReplyTransfer(k, handler, reply, false);
      expect([t.state, t.fault, k.reg(t, 0), k.reg(t, 1), k.reg(t, 2)]).toEqual([label === 0n ? ThreadState.Restart : ThreadState.Inactive, undefined, 0xa0n, 0xa1n, 0x12n]);
      // An inactive thread is not offered to the scheduler.
      expect(t.queued).toBe(label === 0n);
    }
  });

  it('a fault reply with more words than the fault has registers writes only those', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep);
    t.fault = { type: FaultType.UserException, number: 0, code: 0 };
    k.setReg(t, 0, 0x33n);
    handleFault(k, t);
    // UserException: FaultIP, SP, SPSR; a fourth word must not reach x0.
    message(k, handler, 0n, [0x1000n, 0x2000n, 0n, 0x44n]);
    doReplyTransfer(k, handler, reply, false);
    expect([k.reg(t, 0), t.faultIP, t.state]).toEqual([0x33n, 0x1000n, ThreadState.Restart]);
  });

  it('only endpoint caps that can send and grant (or grant a reply) are valid fault handlers, and the null cap', () => {
    const ep = new EndpointObject(0, 4);
    expect(isValidFaultHandler({ type: CapType.Null })).toBe(true);
    expect(isValidFaultHandler(epCap(ep, { canGrant: false }))).toBe(true);
    expect(isValidFaultHandler(epCap(ep, { canGrantReply: false }))).toBe(true);
    expect(isValidFaultHandler(epCap(ep, { canGrant: false, canGrantReply: false }))).toBe(false);
    expect(isValidFaultHandler(epCap(ep, { canSend: false }))).toBe(false);
    expect(isValidFaultHandler({ type: CapType.Thread, obj: new TcbObject(0, 11) })).toBe(false);
  });
});

describe('cap transfer: lookupExtraCaps, getReceiveSlots, transferCaps', () => {
  /**
   * A sender with caps in slots 2 (the endpoint, badge 0x99), 3 and 4 (notifications), 6 (another
   * endpoint), 7 (an unmapped page table); a receiver that names slot 5 of its own CSpace
   * (through a CNode cap in its slot 1) as the receive slot.
   */
  function grant(sendCptrs: bigint[], opts: { canGrant?: boolean; receiverBuffer?: 'none'; occupied?: boolean; receiveRoot?: bigint } = {}) {
    const { k, out } = kernel();
    const [server, client] = [thread(k, 'server', { buffer: opts.receiverBuffer }), thread(k, 'client')];
    const ep = new EndpointObject(alloc(0x10), 4);
    const other = new EndpointObject(alloc(0x10), 4);
    const cs = cspace(client);
    // Slot 0 holds a cap too, so that reading one cptr too many (a zero word) would find it.
    cs.slots[0]!.cap = epCap(other, { badge: 0x100n });
    cs.slots[2]!.cap = epCap(ep, { badge: 0x99n });
    const ntfn = (badge: bigint): Cap => ({ type: CapType.Notification, obj: new NotificationObject(alloc(0x20), 5), badge, canSend: true, canReceive: true });
    cs.slots[3]!.cap = ntfn(3n);
    cs.slots[4]!.cap = ntfn(4n);
    cs.slots[6]!.cap = epCap(other, { badge: 6n });
    cs.slots[7]!.cap = { type: CapType.PageTable, obj: new PageTableObject(alloc(0x1000), 12), mapping: undefined };
    const rs = cspace(server);
    rs.slots[1]!.cap = server.ctes.slots[TcbSlot.CTable]!.cap;
    if (opts.occupied) rs.slots[5]!.cap = ntfn(0n);
    if (opts.receiverBuffer !== 'none') {
      const b = buffer(k, server);
      k.memory.write64(b + IPC_BUFFER.receiveCNode, opts.receiveRoot ?? 1n);
      k.memory.write64(b + IPC_BUFFER.receiveIndex, 5n);
      k.memory.write64(b + IPC_BUFFER.receiveDepth, 64n);
    }
    receiveIPC(k, server, ep, true, undefined, () => false);
    message(k, client, 0n, [0x1n], sendCptrs.length);
    sendCptrs.forEach((c, i) => k.memory.write64(buffer(k, client) + IPC_BUFFER.capsOrBadges + 8 * i, c));
    sendIPC(k, true, false, { badge: 0n, canGrant: opts.canGrant ?? true, canGrantReply: false }, false, client, ep);
    const received = rs.slots[5]!.cap;
    const badges = [0, 1, 2].map((i) => (opts.receiverBuffer === 'none' ? 0n : k.memory.read64(buffer(k, server) + IPC_BUFFER.capsOrBadges + 8 * i)));
    return { k, out, server, client, info: info(k, server), received, sent: (slot: number) => cs.slots[slot]!.cap, badges };
  }

  it('unwraps a cap to the endpoint itself into its badge and moves one other cap into the receive slot', () => {
    const r = grant([2n, 3n]);
    expect(r.info).toEqual({ label: 0n, capsUnwrapped: 0b01, extraCaps: 2, length: 1 });
    expect(r.badges[0]).toBe(0x99n);
    expect(r.received).toEqual(r.sent(3));
  });

  it('reads exactly as many cptrs as the message info says', () => {
    const r = grant([2n]);
    expect(r.info).toEqual({ label: 0n, capsUnwrapped: 0b01, extraCaps: 1, length: 1 });
    expect(r.received.type).toBe(CapType.Null);
  });

  it('unwraps at the cap’s own index (capsUnwrapped bit i, badge i)', () => {
    const r = grant([3n, 2n]);
    expect(r.info).toEqual({ label: 0n, capsUnwrapped: 0b10, extraCaps: 2, length: 1 });
    expect([r.badges[0], r.badges[1]]).toEqual([0n, 0x99n]);
    expect(r.received).toEqual(r.sent(3));
  });

  it('moves at most one cap: the transfer stops at the second', () => {
    const r = grant([3n, 4n, 2n]);
    expect(r.info.extraCaps).toBe(1);
    expect(r.info.capsUnwrapped).toBe(0);
    expect(r.received).toEqual(r.sent(3));
  });

  it('a cap to another endpoint is moved, not unwrapped', () => {
    const r = grant([6n]);
    expect(r.info).toMatchObject({ capsUnwrapped: 0, extraCaps: 1 });
    expect(r.received).toEqual(r.sent(6));
  });

  it('transfers nothing without Grant, nor to a receiver without an IPC buffer, nor when a cptr does not resolve', () => {
    for (const r of [grant([2n, 3n], { canGrant: false }), grant([2n, 3n], { receiverBuffer: 'none' }), grant([3n, 1n << 63n])]) {
      expect(r.info).toEqual({ label: 0n, capsUnwrapped: 0, extraCaps: 0, length: 1 });
      expect(r.received.type).toBe(CapType.Null);
    }
  });

  it('stops at a cap it cannot move (an occupied receive slot, a receive root that is not a CNode or does not resolve, a null cap), but still unwraps before it', () => {
    const occupied = grant([2n, 3n, 2n], { occupied: true });
    // The receive slot keeps what it held (the receiver's own notification cap, badge 0).
    expect(occupied.received).toMatchObject({ type: CapType.Notification, badge: 0n });
    for (const r of [occupied, grant([2n, 3n], { receiveRoot: 3n }), grant([2n, 3n], { receiveRoot: 1n << 63n }), grant([2n, 9n, 3n])]) {
      expect(r.info).toMatchObject({ capsUnwrapped: 0b01, extraCaps: 1 });
      expect(r.badges[0]).toBe(0x99n);
      if (r !== occupied) expect(r.received.type).toBe(CapType.Null);
    }
  });

  it('stops at a cap deriveCap refuses, with Arch_deriveCap’s message (an unmapped page table)', () => {
    const r = grant([7n, 3n]);
    expect(r.info).toMatchObject({ capsUnwrapped: 0, extraCaps: 0 });
    expect(r.received.type).toBe(CapType.Null);
    expect(r.out.text).toContain('Deriving a PT cap without an assigned ASID');
  });
});

describe('cap transfer without a sender IPC buffer', () => {
  it('a sender without an IPC buffer names no caps, whatever its message info says', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client', { buffer: 'none' })];
    const ep = waiting(k, server);
    cspace(client).slots[0]!.cap = { type: CapType.Notification, obj: new NotificationObject(alloc(0x20), 5), badge: 1n, canSend: true, canReceive: true };
    const rs = cspace(server);
    rs.slots[1]!.cap = server.ctes.slots[TcbSlot.CTable]!.cap;
    const b = buffer(k, server);
    k.memory.write64(b + IPC_BUFFER.receiveCNode, 1n);
    k.memory.write64(b + IPC_BUFFER.receiveIndex, 5n);
    k.memory.write64(b + IPC_BUFFER.receiveDepth, 64n);
    message(k, client, 0n, [], 1);
    sendIPC(k, true, false, all, false, client, ep);
    expect(info(k, server).extraCaps).toBe(0);
    expect(rs.slots[5]!.cap.type).toBe(CapType.Null);
  });
});

describe('more of the same, against the same sources', () => {
  it('lookupExtraCaps returns each slot with its cptr, or the first cptr that fails with its lookup fault', () => {
    const { k } = kernel();
    const t = thread(k, 't');
    const cs = cspace(t);
    const b = buffer(k, t);
    for (const [i, c] of [3n, 5n].entries()) k.memory.write64(b + IPC_BUFFER.capsOrBadges + 8 * i, c);
    const ok = lookupExtraCaps(k, t, b, { label: 0n, capsUnwrapped: 0, extraCaps: 2, length: 0 });
    expect(ok).toEqual({ ok: true, slots: [cs.slots[3], cs.slots[5]], cptrs: [3n, 5n] });
    k.memory.write64(b + IPC_BUFFER.capsOrBadges + 8, 1n << 63n);
    const bad = lookupExtraCaps(k, t, b, { label: 0n, capsUnwrapped: 0, extraCaps: 2, length: 0 });
    expect(bad).toMatchObject({ ok: false, cptr: 1n << 63n });
  });

  it('a sender reads its message from a read-only IPC buffer (lookupIPCBuffer(false, sender))', () => {
    const { k } = kernel();
    const [server, client] = [thread(k, 'server'), thread(k, 'client', { buffer: 'read-only' })];
    const ep = waiting(k, server);
    k.memory.write64(buffer(k, client) + IPC_BUFFER.msg + 8 * 5, 0x66n);
    message(k, client, 0n, [1n, 2n, 3n, 4n, 5n]);
    k.setReg(client, 1, messageInfoToWord({ label: 0n, capsUnwrapped: 0, extraCaps: 0, length: 6 }));
    sendIPC(k, true, false, all, false, client, ep);
    expect([info(k, server).length, mr(k, server, 4), mr(k, server, 5)]).toEqual([6, 5n, 0x66n]);
  });

  it('a fault reply reads its words beyond the registers from the handler’s buffer, even a read-only one', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler', { buffer: 'read-only' }), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep);
    t.fault = { type: FaultType.UnknownSyscall, number: 1n };
    handleFault(k, t);
    k.memory.write64(buffer(k, handler) + IPC_BUFFER.msg + 8 * 4, 0x44n);
    k.memory.write64(buffer(k, handler) + IPC_BUFFER.msg + 8 * 5, 0x55n);
    k.setReg(handler, 1, messageInfoToWord({ label: 0n, capsUnwrapped: 0, extraCaps: 0, length: 6 }));
    doReplyTransfer(k, handler, reply, false);
    expect([k.reg(t, 4), k.reg(t, 5)]).toEqual([0x44n, 0x55n]);
  });

  it('an answered caller whose budget is not ready gets a Timeout fault to its timeout handler, or waits in the release queue', () => {
    for (const timeoutHandler of [true, false]) {
      const { k } = kernel();
      const [server, client] = [thread(k, 'server'), thread(k, 'client')];
      const reply = new ReplyObject(alloc(0x20), 5);
      called(k, server, client, reply);
      client.sc!.badge = 0x5n;
      client.sc!.refills[0]!.time = 1_000_000; // released later than now (0)
      const tep = new EndpointObject(alloc(0x10), 4);
      if (timeoutHandler) client.ctes.slots[TcbSlot.TimeoutHandler]!.cap = epCap(tep, { badge: 0x7n });
      message(k, server, 0n, []);
      doReplyTransfer(k, server, reply, false);
      if (timeoutHandler) {
        expect([client.state, client.fault, client.blockingObject, client.inReleaseQueue]).toEqual([ThreadState.BlockedOnSend, { type: FaultType.Timeout, badge: 0x5n }, tep, false]);
      } else {
        expect([client.state, client.fault, client.inReleaseQueue, k.reprogram]).toEqual([ThreadState.Running, undefined, true, true]);
      }
    }
  });

  it('a thread restarted from its Timeout fault with its budget not ready waits for it, with no second Timeout fault', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    t.ctes.slots[TcbSlot.TimeoutHandler]!.cap = epCap(ep);
    t.fault = { type: FaultType.Timeout, badge: 0n };
    sendTimeoutFault(k, t);
    expect(t.state).toBe(ThreadState.BlockedOnReply);
    t.sc!.refills[0]!.time = 1_000_000;
    message(k, handler, 0n, []);
    doReplyTransfer(k, handler, reply, false);
    expect([t.state, t.fault, t.inReleaseQueue]).toEqual([ThreadState.Restart, undefined, true]);
  });

  it('cancelIPC takes a blocked sender off its endpoint', () => {
    const { k } = kernel();
    const ep = new EndpointObject(alloc(0x10), 4);
    const s = thread(k, 's');
    sendIPC(k, true, true, all, false, s, ep);
    cancelIPC(k, s);
    expect([s.state, ep.queue.length, ep.state]).toEqual([ThreadState.Inactive, 0, EndpointState.Idle]);
  });

  it('the fault trace names the fault and whether a handler takes it', () => {
    const { k } = kernel();
    const seen: [string, boolean][] = [];
    k.trace.fault = (_t, description, handled) => seen.push([description, handled]);
    const t = thread(k, 't');
    t.fault = { type: FaultType.UnknownSyscall, number: 2n };
    handleFault(k, t);
    expect(seen).toEqual([['unknown syscall 0x2', false]]);
  });
});

describe('the rest of the survivors', () => {
  it('a fault other than Timeout leaves the time its context consumed alone', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
    const ep = waiting(k, handler, new ReplyObject(alloc(0x20), 5));
    t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep);
    t.sc!.consumed = 1234;
    t.fault = { type: FaultType.UnknownSyscall, number: 1n };
    handleFault(k, t);
    expect(handler.sc!.consumed).toBe(0);
    expect(t.sc!.consumed).toBe(1234);
  });

  it('a reply to a caller in the middle of a call stack breaks the stack there (reply_remove); the context stays on top', () => {
    const { k } = kernel();
    const [a, b, c] = [thread(k, 'a'), thread(k, 'b', { sc: false }), thread(k, 'c', { sc: false })];
    const [r1, r2] = [new ReplyObject(alloc(0x20), 5), new ReplyObject(alloc(0x20), 5)];
    const sc = a.sc!;
    called(k, b, a, r1);
    called(k, c, b, r2);
    message(k, b, 0n, []);
    doReplyTransfer(k, b, r1, false);
    expect([a.state, a.sc, r1.tcb, r1.prev, r1.next, r2.prev, r2.next, sc.reply, c.sc]).toEqual([ThreadState.Running, undefined, undefined, undefined, undefined, undefined, sc, r2, sc]);
    expect(a.queued).toBe(false);
  });

  it('a reply to a VMFault restarts the thread whatever its label and writes no register', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler'), thread(k, 't')];
    const reply = new ReplyObject(alloc(0x20), 5);
    const ep = waiting(k, handler, reply);
    t.ctes.slots[TcbSlot.FaultHandler]!.cap = epCap(ep);
    t.fault = { type: FaultType.VMFault, address: 0x1000n, instruction: false, fsr: 0x92000006 };
    k.setReg(t, 0, 0x33n);
    handleFault(k, t);
    message(k, handler, 5n, [0x1n, 0x2n]);
    doReplyTransfer(k, handler, reply, false);
    expect([t.state, t.fault, k.reg(t, 0)]).toEqual([ThreadState.Restart, undefined, 0x33n]);
  });

  it('a handler receiving a queued Timeout fault links the reply but takes no context (canDonate is false for Timeout)', () => {
    const { k } = kernel();
    const [handler, t] = [thread(k, 'handler', { sc: false }), thread(k, 't')];
    const ep = new EndpointObject(alloc(0x10), 4);
    t.ctes.slots[TcbSlot.TimeoutHandler]!.cap = epCap(ep);
    t.fault = { type: FaultType.Timeout, badge: 0n };
    sendTimeoutFault(k, t);
    const sc = t.sc;
    const reply = new ReplyObject(alloc(0x20), 5);
    receiveIPC(k, handler, ep, true, reply, () => false);
    expect([t.state, reply.tcb, handler.sc, t.sc]).toEqual([ThreadState.BlockedOnReply, t, undefined, sc]);
  });
});
