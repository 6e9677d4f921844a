/**
 * POSIX path joining and resolution as Node's `path.posix` does them (the Linux user-mode
 * emulator's paths are Linux paths whatever the host), without Node.
 */

/** Collapse `.`, `..` and repeated slashes; keeps a leading and a trailing slash; '' becomes '.'. */
export function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const trailing = path.endsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  let s = out.join('/');
  if (s === '') return absolute ? '/' : trailing ? './' : '.';
  if (trailing) s += '/';
  return absolute ? `/${s}` : s;
}

/** path.posix.join: the non-empty parts joined with '/', normalized. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined === '' ? '.' : normalize(joined);
}

/** path.posix.resolve from an absolute base: the last absolute part wins; no trailing slash. */
export function resolveFrom(base: string, ...parts: string[]): string {
  let path = base;
  for (const p of parts) {
    if (p === '') continue;
    path = p.startsWith('/') ? p : `${path}/${p}`;
  }
  const n = normalize(path);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
