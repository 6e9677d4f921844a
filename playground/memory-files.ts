import type { HostFiles } from '../src/util/host-files.js';
import { join } from '../src/util/posix-path.js';

/**
 * The page's files as the core's HostFiles: the example's programs and data (fetched), the ones
 * the user picked from disk, and the sdk's monitors, all by plain name in one flat folder.
 */
export function memoryFiles(files: ReadonlyMap<string, Uint8Array>): HostFiles {
  const normal = (path: string) => join('.', path);
  return {
    read(path) {
      const bytes = files.get(normal(path));
      if (bytes === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      return bytes;
    },
    kind: (path) => (files.has(normal(path)) ? 'file' : undefined),
    isAbsolute: (path) => path.startsWith('/'),
    join,
    packageFile: (relative) => relative,
  };
}
