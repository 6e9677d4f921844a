import { join } from '../../util/posix-path.js';
import { EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, ENOTTY, ERANGE, EROFS, ESPIPE } from './errno.js';
import { readHost, S_IFDIR, S_IFIFO, type HostFile, type HostStat, type OpenFile } from './files.js';
import { readCString, readWords, writeBytes, type LinuxProcess } from './process.js';
import type { SyscallArgs, SyscallDef } from './syscall-args.js';

/**
 * The file system calls: standard input/output/error and read-only host files, with the
 * arm64 (asm-generic) `struct stat` and open flags.
 */

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
/** arm64's value (arch/arm64/include/uapi/asm/fcntl.h), not asm-generic's. */
const O_DIRECTORY = 0o40000;
const S_IFCHR = 0o020000;
const S_IFMT = 0o170000;
const W_OK = 2;
const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
const SEEK_SET = 0;
const SEEK_END = 2;
const IOV_MAX = 1024;

const READ_ONLY = 'sel4ts gives programs read-only access to host files';

/** Standard input, output and error look like pipes: not terminals, so stdout is fully buffered, as under a test harness. */
const PIPE_STAT: HostStat = { mode: S_IFIFO | 0o600, size: 0, mtimeSec: 0, mtimeNsec: 0 };
const DEV_NULL: HostFile = { mode: S_IFCHR | 0o666, size: 0, mtimeSec: 0, mtimeNsec: 0, bytes: new Uint8Array(0) };

/** `struct stat` of arm64 (include/uapi/asm-generic/stat.h), 128 bytes. */
function statBytes(s: HostStat): Uint8Array {
  const d = new DataView(new ArrayBuffer(128));
  d.setUint32(16, s.mode, true); // st_mode
  d.setUint32(20, 1, true); // st_nlink
  d.setBigInt64(48, BigInt(s.size), true); // st_size
  d.setInt32(56, 4096, true); // st_blksize
  d.setBigInt64(64, BigInt(Math.ceil(s.size / 512)), true); // st_blocks
  for (const off of [72, 88, 104]) {
    // st_atime, st_mtime, st_ctime: all the modification time
    d.setBigInt64(off, BigInt(s.mtimeSec), true);
    d.setBigUint64(off + 8, BigInt(s.mtimeNsec), true);
  }
  return new Uint8Array(d.buffer);
}

function fileStat(f: OpenFile): HostStat {
  return f.kind === 'host' ? f.file : PIPE_STAT;
}

/** The host path `path` names relative to `dirfd`, or −errno. */
function resolveAt(p: LinuxProcess, dirfd: number, path: string): string | number {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return path;
  const dir = p.files.get(dirfd);
  if (!dir) return -EBADF;
  if (dir.kind !== 'host' || (dir.file.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  return join(dir.path, path);
}

function pathArg(p: LinuxProcess, a: SyscallArgs, dirArg: number, pathArgIndex: number): string | number {
  const path = readCString(p, a.u(pathArgIndex));
  if (typeof path === 'number') return path;
  p.note = JSON.stringify(path);
  if (path === '') return -ENOENT;
  return resolveAt(p, a.int(dirArg), path);
}

function openat(p: LinuxProcess, a: SyscallArgs): number {
  const path = pathArg(p, a, 0, 1);
  if (typeof path === 'number') return path;
  const flags = a.u(2);
  if ((flags & O_ACCMODE) !== 0 || flags & (O_CREAT | O_TRUNC)) {
    p.note += `: ${READ_ONLY}`;
    return -EROFS;
  }
  let file: HostFile | number;
  if (path === '/dev/null') file = DEV_NULL;
  else if (!p.host) file = ENOENT;
  else file = p.host.open(path);
  if (typeof file === 'number') return -file;
  if (flags & O_DIRECTORY && (file.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  return p.files.add({ kind: 'host', path, file, offset: 0 });
}

/** Read into the program's memory from `f`: the byte count, or −errno. */
function readInto(p: LinuxProcess, f: OpenFile | undefined, va: number, count: number, at?: number): number {
  let bytes: Uint8Array | number;
  if (f?.kind === 'stdin') bytes = p.stdin(count);
  else if (f?.kind === 'host') bytes = readHost(f, count, at);
  else return -EBADF;
  if (typeof bytes === 'number') return bytes;
  if (writeBytes(p, va, bytes) !== 0) return -EFAULT;
  if (f.kind === 'host' && at === undefined) f.offset += bytes.length;
  return bytes.length;
}

function writeFrom(p: LinuxProcess, f: OpenFile | undefined, va: number, count: number): number {
  if (f?.kind !== 'stdout' && f?.kind !== 'stderr') {
    if (f?.kind === 'host') p.note = READ_ONLY;
    return -EBADF;
  }
  const data = p.space.read(va, count);
  if (!data) return -EFAULT;
  (f.kind === 'stdout' ? p.stdout : p.stderr)(data);
  return data.length;
}

/** readv/writev: `each` on every iovec in turn, stopping at a short transfer. */
function vectored(p: LinuxProcess, a: SyscallArgs, each: (f: OpenFile | undefined, va: number, len: number) => number): number {
  const count = a.u(2);
  if (count > IOV_MAX) return -EINVAL;
  const iov = readWords(p, a.u(1), 2 * count);
  if (!iov) return -EFAULT;
  const f = p.files.get(a.int(0));
  if (!f) return -EBADF;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = Number(iov[2 * i + 1]!);
    if (len === 0) continue;
    const n = each(f, Number(iov[2 * i]!), len);
    if (n < 0) return total > 0 ? total : n;
    total += n;
    if (n < len) break;
  }
  return total;
}

function stat(p: LinuxProcess, a: SyscallArgs, flags: number): number {
  let s: HostStat | number;
  const raw = readCString(p, a.u(1));
  if (raw === '' && flags & AT_EMPTY_PATH) {
    const f = p.files.get(a.int(0));
    if (!f) return -EBADF;
    s = fileStat(f);
  } else {
    const path = pathArg(p, a, 0, 1);
    if (typeof path === 'number') return path;
    if (path === '/dev/null') s = DEV_NULL;
    else s = p.host ? p.host.stat(path, !(flags & AT_SYMLINK_NOFOLLOW)) : ENOENT;
    if (typeof s === 'number') return -s;
  }
  return writeBytes(p, a.u(2), statBytes(s));
}

function dupTo(p: LinuxProcess, fd: number, from: number): number {
  const f = p.files.get(fd);
  if (!f) return -EBADF;
  return p.files.add(f.kind === 'host' ? f : { ...f }, from);
}

export const FILE_SYSCALLS: Record<number, SyscallDef> = {
  // getcwd
  17: {
    args: 2,
    run(p, a) {
      const cwd = new TextEncoder().encode(`${p.host?.cwd ?? '/'}\0`);
      if (a.u(1) < cwd.length) return -ERANGE;
      return writeBytes(p, a.u(0), cwd) || cwd.length;
    },
  },
  // dup
  23: { args: 1, run: (p, a) => dupTo(p, a.int(0), 0) },
  // dup3
  24: {
    args: 3,
    run(p, a) {
      const [from, to] = [a.int(0), a.int(1)];
      const f = p.files.get(from);
      if (!f) return -EBADF;
      if (from === to || to < 0 || to >= 1024) return -EINVAL;
      p.files.set(to, f);
      return to;
    },
  },
  // fcntl
  25: {
    args: 3,
    run(p, a) {
      const f = p.files.get(a.int(0));
      if (!f) return -EBADF;
      switch (a.int(1)) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
          return dupTo(p, a.int(0), a.int(2));
        case F_GETFD:
        case F_SETFD:
        case F_SETFL:
          return 0;
        case F_GETFL:
          return f.kind === 'stdout' || f.kind === 'stderr' ? 1 : 0; // O_WRONLY or O_RDONLY
        default:
          p.note = `fcntl command ${a.int(1)} is not supported`;
          return -EINVAL;
      }
    },
  },
  // ioctl: no descriptor is a terminal.
  29: { args: 3, run: (p, a) => (p.files.get(a.int(0)) ? -ENOTTY : -EBADF) },
  // faccessat, faccessat2
  48: { args: 3, run: (p, a) => access(p, a) },
  439: { args: 4, run: (p, a) => access(p, a) },
  56: { args: 4, run: openat },
  // close
  57: { args: 1, run: (p, a) => p.files.close(a.int(0)) },
  // lseek
  62: {
    args: 3,
    run(p, a) {
      const f = p.files.get(a.int(0));
      if (!f) return -EBADF;
      if (f.kind !== 'host') return -ESPIPE;
      const base = [0, f.offset, f.file.bytes.length][a.int(2)];
      if (base === undefined || a.int(2) > SEEK_END || a.int(2) < SEEK_SET) return -EINVAL;
      const to = base + a.s64(1);
      if (to < 0) return -EINVAL;
      f.offset = to;
      return to;
    },
  },
  // read
  63: { args: 3, run: (p, a) => readInto(p, p.files.get(a.int(0)), a.u(1), a.u(2)) },
  // write
  64: { args: 3, run: (p, a) => writeFrom(p, p.files.get(a.int(0)), a.u(1), a.u(2)) },
  // readv, writev
  65: { args: 3, run: (p, a) => vectored(p, a, (f, va, len) => readInto(p, f, va, len)) },
  66: { args: 3, run: (p, a) => vectored(p, a, (f, va, len) => writeFrom(p, f, va, len)) },
  // pread64
  67: {
    args: 4,
    run(p, a) {
      const f = p.files.get(a.int(0));
      if (f && f.kind !== 'host') return -ESPIPE;
      if (a.s64(3) < 0) return -EINVAL;
      return readInto(p, f, a.u(1), a.u(2), a.s64(3));
    },
  },
  // readlinkat
  78: {
    args: 4,
    run(p, a) {
      const path = pathArg(p, a, 0, 1);
      if (typeof path === 'number') return path;
      if (a.int(3) <= 0) return -EINVAL;
      let target: string | number;
      if (path === '/proc/self/exe') target = p.exePath;
      else target = p.host ? p.host.readlink(path) : ENOENT;
      if (typeof target === 'number') return -target;
      const bytes = new TextEncoder().encode(target).subarray(0, a.int(3));
      return writeBytes(p, a.u(2), bytes) || bytes.length;
    },
  },
  // newfstatat
  79: { args: 4, run: (p, a) => stat(p, a, a.int(3)) },
  // fstat
  80: {
    args: 2,
    run(p, a) {
      const f = p.files.get(a.int(0));
      return f ? writeBytes(p, a.u(1), statBytes(fileStat(f))) : -EBADF;
    },
  },
};

function access(p: LinuxProcess, a: SyscallArgs): number {
  const path = pathArg(p, a, 0, 1);
  if (typeof path === 'number') return path;
  const r = path === '/dev/null' ? 0 : p.host ? p.host.access(path, a.int(2)) : ENOENT;
  if (r !== 0) return -r;
  if (a.int(2) & W_OK) {
    p.note += `: ${READ_ONLY}`;
    return -EROFS;
  }
  return 0;
}
