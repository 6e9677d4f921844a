import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a file shipped with the package (`schemas/…`), found by walking up from
 * this module: it works from `src/`, from `dist/` and from the bundle alike.
 */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal error: ${relative} is missing from the sel4ts package`);
    dir = parent;
  }
}
