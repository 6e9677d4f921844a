import { accessSync, constants, lstatSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { EACCES, EFBIG, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENODEV, ENOENT, ENOTDIR } from '../machine/linux/errno.js';
import type { HostFile, HostFileSystem, HostStat } from '../machine/linux/files.js';

/** Files larger than this are refused (EFBIG): they are read whole when opened. */
const MAX_FILE_SIZE = 256 * 1024 * 1024;

function errnoOf(e: unknown): number {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return ENOENT;
    case 'ENOTDIR':
      return ENOTDIR;
    case 'ELOOP':
      return ELOOP;
    case 'ENAMETOOLONG':
      return ENAMETOOLONG;
    case 'EISDIR':
      return EISDIR;
    case 'EINVAL':
      return EINVAL;
    default:
      return EACCES;
  }
}

function hostStat(s: Stats): HostStat {
  return { mode: s.mode, size: s.size, mtimeSec: Math.floor(Number(s.mtimeMs) / 1000), mtimeNsec: (Math.floor(Number(s.mtimeMs)) % 1000) * 1_000_000 };
}

/** The host's files through node:fs, read-only, relative to `cwd`: regular files and directories. */
export function nodeHostFiles(cwd: string): HostFileSystem {
  const at = (path: string): string => resolve(cwd, path);
  return {
    cwd,
    open(path: string): HostFile | number {
      try {
        const s = statSync(at(path));
        if (s.isDirectory()) return { ...hostStat(s), bytes: new Uint8Array(0) };
        // Devices, FIFOs and sockets cannot be read whole (/dev/zero never ends): refused.
        if (!s.isFile()) return ENODEV;
        if (s.size > MAX_FILE_SIZE) return EFBIG;
        return { ...hostStat(s), bytes: new Uint8Array(readFileSync(at(path))) };
      } catch (e) {
        return errnoOf(e);
      }
    },
    stat(path: string, followSymlinks: boolean): HostStat | number {
      try {
        return hostStat(followSymlinks ? statSync(at(path)) : lstatSync(at(path)));
      } catch (e) {
        return errnoOf(e);
      }
    },
    readlink(path: string): string | number {
      try {
        return readlinkSync(at(path));
      } catch (e) {
        return errnoOf(e);
      }
    },
    access(path: string, mode: number): number {
      try {
        accessSync(at(path), (mode & 4 ? constants.R_OK : 0) | (mode & 1 ? constants.X_OK : 0));
        return 0;
      } catch (e) {
        return errnoOf(e);
      }
    },
  };
}
