import { EACCES, EBADF, EINVAL, ENODEV } from './errno.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_WRITE } from './process-memory.js';
import type { LinuxProcess } from './process.js';
import type { SyscallArgs, SyscallDef } from './syscall-args.js';

/** brk, mmap, munmap, mprotect, mremap, madvise. */

const MADV_DONTNEED = 4;

function mmap(p: LinuxProcess, a: SyscallArgs): number {
  const [addr, length, prot, flags] = [a.u(0), a.u(1), a.int(2), a.int(3)];
  const type = flags & (MAP_SHARED | MAP_PRIVATE);
  if (type === 0) return -EINVAL;
  if (flags & MAP_ANONYMOUS) return p.memory.mmap(addr, length, prot, flags);
  // A file mapping: a copy of the file's bytes (it is read-only, so private and shared agree).
  const f = p.files.get(a.int(4));
  if (!f) return -EBADF;
  if (f.kind !== 'host') {
    p.note = 'only host files can be mapped';
    return -ENODEV;
  }
  if (type === MAP_SHARED && prot & PROT_WRITE) {
    p.note = 'a shared writable mapping of a read-only file';
    return -EACCES;
  }
  const offset = a.s64(5);
  if (offset < 0 || offset % 4096 !== 0) return -EINVAL;
  return p.memory.mmap(addr, length, prot, flags, f.file.bytes.subarray(Math.min(offset, f.file.bytes.length)));
}

export const MEMORY_SYSCALLS: Record<number, SyscallDef> = {
  // brk
  214: { args: 1, run: (p, a) => p.memory.setBrk(a.u(0)) },
  // munmap
  215: { args: 2, run: (p, a) => p.memory.munmap(a.u(0), a.u(1)) },
  // mremap
  216: {
    args: 5,
    run(p, a) {
      const r = p.memory.mremap(a.u(0), a.u(1), a.u(2), a.int(3));
      if (r === -EINVAL && a.int(3) & 2) p.note = 'MREMAP_FIXED is not supported';
      return r;
    },
  },
  222: { args: 6, run: mmap },
  // mprotect
  226: { args: 3, run: (p, a) => p.memory.mprotect(a.u(0), a.u(1), a.int(2)) },
  // madvise: only MADV_DONTNEED changes what the program sees; the rest are hints.
  233: { args: 3, run: (p, a) => (a.int(2) === MADV_DONTNEED ? p.memory.dontNeed(a.u(0), a.u(1)) : 0) },
};
