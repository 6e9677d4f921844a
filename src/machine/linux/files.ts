import { EBADF, EISDIR, EMFILE } from './errno.js';

/**
 * The files a program run by `sel4ts machine exec` sees: standard input, output and error, and
 * host files opened read-only through a `HostFileSystem`. A host file's bytes are read whole when
 * it is opened, so the program sees a snapshot.
 */

export const S_IFIFO = 0o010000;
export const S_IFDIR = 0o040000;

/** What a host file or directory looks like to `stat`. */
export interface HostStat {
  /** st_mode: type and permission bits. */
  mode: number;
  size: number;
  /** Modification time in whole seconds and nanoseconds since the epoch. */
  mtimeSec: number;
  mtimeNsec: number;
}

export interface HostFile extends HostStat {
  /** The whole file (empty for a directory). */
  bytes: Uint8Array;
}

/**
 * Read-only access to the host's files; relative paths are relative to the directory the
 * program runs in. Each method returns a Linux errno (positive) on failure.
 */
export interface HostFileSystem {
  /** The working directory, as getcwd reports it. */
  readonly cwd: string;
  open(path: string): HostFile | number;
  stat(path: string, followSymlinks: boolean): HostStat | number;
  readlink(path: string): string | number;
  /** Whether the file exists and may be read (faccessat F_OK/R_OK/X_OK). */
  access(path: string, mode: number): number;
}

export type OpenFile = { kind: 'stdin' } | { kind: 'stdout' } | { kind: 'stderr' } | { kind: 'host'; path: string; file: HostFile; offset: number };

/** The most descriptors a process may hold (RLIMIT_NOFILE's usual soft limit). */
const MAX_FDS = 1024;

export class FdTable {
  private readonly fds = new Map<number, OpenFile>([
    [0, { kind: 'stdin' }],
    [1, { kind: 'stdout' }],
    [2, { kind: 'stderr' }],
  ]);

  get(fd: number): OpenFile | undefined {
    return this.fds.get(fd);
  }

  /** Install `file` at the lowest free descriptor at or above `from`; returns it or −EMFILE. */
  add(file: OpenFile, from = 0): number {
    for (let fd = from; fd < MAX_FDS; fd++) {
      if (!this.fds.has(fd)) {
        this.fds.set(fd, file);
        return fd;
      }
    }
    return -EMFILE;
  }

  set(fd: number, file: OpenFile): void {
    this.fds.set(fd, file);
  }

  close(fd: number): number {
    return this.fds.delete(fd) ? 0 : -EBADF;
  }
}

/** Read up to `count` bytes of a host file at its offset (advancing it). */
export function readHost(f: Extract<OpenFile, { kind: 'host' }>, count: number, at = f.offset): Uint8Array | number {
  if ((f.file.mode & 0o170000) === S_IFDIR) return -EISDIR;
  const bytes = f.file.bytes.subarray(Math.min(at, f.file.bytes.length), Math.min(at + count, f.file.bytes.length));
  return bytes;
}
