import { EAGAIN, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, ETIMEDOUT } from './errno.js';
import { GID, nowNs, PID, PPID, readU32, readWords, UID, writeBytes, writeWords, type LinuxProcess } from './process.js';
import type { SyscallArgs, SyscallDef } from './syscall-args.js';

/**
 * The process, time, signal and identity calls of a one-thread process. Time is virtual (see
 * `nowNs`) and random bytes come from a fixed stream, so runs are reproducible.
 */

const SIGKILL = 9;
const SIGSTOP = 19;
const SIG_DFL = 0n;
const SIG_IGN = 1n;
/** Signals whose default action is to do nothing (SIGCHLD, SIGCONT, SIGURG, SIGWINCH). */
const IGNORED_BY_DEFAULT = new Set([17, 18, 23, 28]);
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};
const NSIG = 64;
const SIGSET_SIZE = 8;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
/** FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. */
const FUTEX_CMD_MASK = ~(128 | 256);

const TIMER_ABSTIME = 1;
const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;

const RLIM_INFINITY = (1n << 64n) - 1n;
const RLIMIT_STACK = 3;
const RLIMIT_NOFILE = 7;
const RLIM_NLIMITS = 16;

function signalName(sig: number): string {
  return SIGNAL_NAMES[sig] ?? `signal ${sig}`;
}

function timespec(ns: number): bigint[] {
  return [BigInt(Math.floor(ns / 1e9)), BigInt(ns % 1e9)];
}

/** A timespec argument in nanoseconds, or −errno. */
function readTimespec(p: LinuxProcess, va: number): number {
  const t = readWords(p, va, 2);
  if (!t) return -EFAULT;
  const [sec, nsec] = [BigInt.asIntN(64, t[0]!), BigInt.asIntN(64, t[1]!)];
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
  return Number(sec) * 1e9 + Number(nsec);
}

function sleep(p: LinuxProcess, a: SyscallArgs, clockArg: number | undefined, flags: number, reqArg: number): number {
  if (clockArg !== undefined && (a.int(clockArg) < 0 || a.int(clockArg) > 7)) return -EINVAL;
  const req = readTimespec(p, a.u(reqArg));
  if (req < 0) return req;
  const until = flags & TIMER_ABSTIME ? req : nowNs(p) + req;
  if (until > nowNs(p)) p.sleptNs += until - nowNs(p);
  return 0;
}

function rlimit(p: LinuxProcess, resource: number): [bigint, bigint] {
  const set = p.rlimits.get(resource);
  if (set) return set;
  if (resource === RLIMIT_STACK) return [8n * 1024n * 1024n, RLIM_INFINITY];
  if (resource === RLIMIT_NOFILE) return [1024n, 1024n];
  return [RLIM_INFINITY, RLIM_INFINITY];
}

/** getrlimit/setrlimit/prlimit64 on this process: 0 or −errno. */
function limits(p: LinuxProcess, resource: number, newVa: number, oldVa: number): number {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const old = rlimit(p, resource);
  let next: [bigint, bigint] | undefined;
  if (newVa !== 0) {
    const w = readWords(p, newVa, 2);
    if (!w) return -EFAULT;
    if (w[0]! > w[1]!) return -EINVAL;
    if (w[1]! > old[1]) return -EPERM;
    next = [w[0]!, w[1]!];
  }
  if (oldVa !== 0 && writeWords(p, oldVa, old) !== 0) return -EFAULT;
  if (next) p.rlimits.set(resource, next);
  return 0;
}

/** kill/tkill/tgkill to this process: what the signal's disposition does. */
function sendSignal(p: LinuxProcess, sig: number): number {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  if (sig === 0) return 0;
  const handler = p.sigactions.get(sig) ? new DataView(p.sigactions.get(sig)!.buffer).getBigUint64(0, true) : SIG_DFL;
  if (handler === SIG_IGN || (handler === SIG_DFL && IGNORED_BY_DEFAULT.has(sig))) return 0;
  if (handler === SIG_DFL || sig === SIGKILL) {
    p.end = { kind: 'killed', signal: sig, message: `killed by ${signalName(sig)}` };
    return 0;
  }
  p.end = { kind: 'killed', signal: sig, message: `${signalName(sig)} has a handler, and sel4ts does not deliver signals to handlers` };
  return 0;
}

function futex(p: LinuxProcess, a: SyscallArgs): number {
  const cmd = a.int(1) & FUTEX_CMD_MASK;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const value = readU32(p, a.u(0));
      if (value === undefined) return -EFAULT;
      if (value !== a.u(2) % 4294967296) return -EAGAIN;
      if (a.u(3) !== 0) {
        // No other thread can change the word: the wait lasts until its timeout.
        const t = readTimespec(p, a.u(3));
        if (t < 0) return t;
        const until = cmd === FUTEX_WAIT_BITSET ? t : nowNs(p) + t;
        if (until > nowNs(p)) p.sleptNs += until - nowNs(p);
        return -ETIMEDOUT;
      }
      p.end = { kind: 'deadlock', message: `futex wait on 0x${a.u(0).toString(16)} with no other thread to wake it` };
      return 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
      return 0; // nobody waits
    default:
      p.note = `futex operation ${cmd} is not supported`;
      return -ENOSYS;
  }
}

function uname(p: LinuxProcess, va: number): number {
  // struct new_utsname: six fields of 65 bytes.
  const fields = ['Linux', 'sel4ts', '6.1.0', '#1 SMP sel4ts', 'aarch64', '(none)'];
  const bytes = new Uint8Array(6 * 65);
  fields.forEach((f, i) => bytes.set(new TextEncoder().encode(f), i * 65));
  return writeBytes(p, va, bytes);
}

function sigaction(p: LinuxProcess, a: SyscallArgs): number {
  const sig = a.int(0);
  if (a.u(3) !== SIGSET_SIZE || sig < 1 || sig > NSIG) return -EINVAL;
  const act = a.u(1) !== 0 ? p.space.read(a.u(1), 32) : undefined;
  if (a.u(1) !== 0 && !act) return -EFAULT;
  if (act && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
  if (a.u(2) !== 0 && writeBytes(p, a.u(2), p.sigactions.get(sig) ?? new Uint8Array(32)) !== 0) return -EFAULT;
  if (act) p.sigactions.set(sig, act);
  return 0;
}

function sigprocmask(p: LinuxProcess, a: SyscallArgs): number {
  if (a.u(3) !== SIGSET_SIZE) return -EINVAL;
  const old = p.sigmask;
  if (a.u(1) !== 0) {
    const w = readWords(p, a.u(1), 1);
    if (!w) return -EFAULT;
    const set = w[0]! & ~UNBLOCKABLE;
    const how = a.int(0);
    if (how === SIG_BLOCK) p.sigmask |= set;
    else if (how === SIG_UNBLOCK) p.sigmask &= ~set;
    else if (how === SIG_SETMASK) p.sigmask = set;
    else return -EINVAL;
  }
  if (a.u(2) !== 0 && writeWords(p, a.u(2), [old]) !== 0) {
    p.sigmask = old;
    return -EFAULT;
  }
  return 0;
}

function sigaltstack(p: LinuxProcess, a: SyscallArgs): number {
  const SS_DISABLE = 2;
  if (a.u(1) !== 0) {
    const old = p.altStack ?? new Uint8Array(24);
    if (p.altStack === undefined) new DataView(old.buffer).setInt32(8, SS_DISABLE, true);
    if (writeBytes(p, a.u(1), old) !== 0) return -EFAULT;
  }
  if (a.u(0) !== 0) {
    const ss = p.space.read(a.u(0), 24);
    if (!ss) return -EFAULT;
    p.altStack = ss;
  }
  return 0;
}

const ok = (): number => 0;

export const PROCESS_SYSCALLS: Record<number, SyscallDef> = {
  // exit, exit_group: one thread, so both end the process.
  93: { args: 1, run: (p, a) => ((p.end = { kind: 'exit', code: a.int(0) & 0xff }), 0) },
  94: { args: 1, run: (p, a) => ((p.end = { kind: 'exit', code: a.int(0) & 0xff }), 0) },
  // set_tid_address
  96: { args: 1, run: (p, a) => ((p.clearChildTid = a.u(0)), PID) },
  98: { args: 6, run: futex },
  // set_robust_list: struct robust_list_head is 24 bytes; only one thread, so nothing to do at exit.
  99: { args: 2, run: (_p, a) => (a.u(1) === 24 ? 0 : -EINVAL) },
  // nanosleep
  101: { args: 2, run: (p, a) => sleep(p, a, undefined, 0, 0) },
  // clock_gettime: every clock reads virtual time (CLOCK_REALTIME counts from the epoch).
  113: {
    args: 2,
    run(p, a) {
      const clock = a.int(0);
      if (clock < 0 || clock > 11 || clock === 10) return -EINVAL;
      return writeWords(p, a.u(1), timespec(nowNs(p)));
    },
  },
  // clock_getres
  114: { args: 2, run: (p, a) => (a.int(0) < 0 || a.int(0) > 11 ? -EINVAL : a.u(1) === 0 ? 0 : writeWords(p, a.u(1), [0n, 1n])) },
  // clock_nanosleep
  115: { args: 4, run: (p, a) => sleep(p, a, 0, a.int(1), 2) },
  // sched_getaffinity: one CPU.
  123: {
    args: 3,
    run(p, a) {
      if (a.u(1) < 8 || a.u(1) % 8 !== 0) return -EINVAL;
      return writeWords(p, a.u(2), [1n]) || 8;
    },
  },
  // sched_yield
  124: { args: 0, run: ok },
  // kill, tkill, tgkill: only to itself.
  129: { args: 2, run: (p, a) => (a.int(0) === PID || a.int(0) === 0 || a.int(0) === -1 ? sendSignal(p, a.int(1)) : -ESRCH) },
  130: { args: 2, run: (p, a) => (a.int(0) === PID ? sendSignal(p, a.int(1)) : -ESRCH) },
  131: { args: 3, run: (p, a) => (a.int(0) === PID && a.int(1) === PID ? sendSignal(p, a.int(2)) : -ESRCH) },
  132: { args: 2, run: sigaltstack },
  134: { args: 4, run: sigaction },
  135: { args: 4, run: sigprocmask },
  160: { args: 1, run: (p, a) => uname(p, a.u(0)) },
  // getrlimit, setrlimit
  163: { args: 2, run: (p, a) => limits(p, a.int(0), 0, a.u(1)) },
  164: { args: 2, run: (p, a) => limits(p, a.int(0), a.u(1), 0) },
  // gettimeofday
  169: {
    args: 2,
    run(p, a) {
      const ns = nowNs(p);
      return a.u(0) === 0 ? 0 : writeWords(p, a.u(0), [BigInt(Math.floor(ns / 1e9)), BigInt(Math.floor((ns % 1e9) / 1000))]);
    },
  },
  172: { args: 0, run: () => PID },
  173: { args: 0, run: () => PPID },
  174: { args: 0, run: () => UID },
  175: { args: 0, run: () => UID },
  176: { args: 0, run: () => GID },
  177: { args: 0, run: () => GID },
  178: { args: 0, run: () => PID },
  // prlimit64
  261: { args: 4, run: (p, a) => (a.int(0) === 0 || a.int(0) === PID ? limits(p, a.int(1), a.u(2), a.u(3)) : -ESRCH) },
  // getrandom
  278: {
    args: 3,
    run(p, a) {
      if (a.int(2) & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
      const n = Math.min(a.u(1), 33554431);
      return writeBytes(p, a.u(0), p.random.bytes(n)) || n;
    },
  },
  // rseq: not supported, as on a kernel built without CONFIG_RSEQ; glibc carries on without it.
  293: { args: 4, run: (p) => ((p.note = 'restartable sequences are not supported'), -ENOSYS) },
};
