/** Linux error numbers (include/uapi/asm-generic/errno-base.h and errno.h) that the calls return. */
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOTTY = 25;
export const EFBIG = 27;
export const ESPIPE = 29;
export const EROFS = 30;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ENODEV = 19;
export const ELOOP = 40;
export const ETIMEDOUT = 110;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM',
  [ENOENT]: 'ENOENT',
  [ESRCH]: 'ESRCH',
  [EINTR]: 'EINTR',
  [EBADF]: 'EBADF',
  [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM',
  [EACCES]: 'EACCES',
  [EFAULT]: 'EFAULT',
  [EEXIST]: 'EEXIST',
  [ENODEV]: 'ENODEV',
  [ENOTDIR]: 'ENOTDIR',
  [EISDIR]: 'EISDIR',
  [EINVAL]: 'EINVAL',
  [EMFILE]: 'EMFILE',
  [ENOTTY]: 'ENOTTY',
  [EFBIG]: 'EFBIG',
  [ESPIPE]: 'ESPIPE',
  [EROFS]: 'EROFS',
  [ERANGE]: 'ERANGE',
  [ENAMETOOLONG]: 'ENAMETOOLONG',
  [ENOSYS]: 'ENOSYS',
  [ELOOP]: 'ELOOP',
  [ETIMEDOUT]: 'ETIMEDOUT',
};

/** `ENOENT` for 2, or the number when it has no name here. */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? String(errno);
}
