import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A `sel4ts` executable built from the sources under test (not dist/, which may be stale), for
 * programs that run sel4ts themselves, such as the SDK's bin/microkit through $SEL4TS. The bundle
 * goes in dist/ so that it finds the package's files (sdk/…) as dist/sel4ts.mjs does; the
 * executable is a shell script in a temporary directory. `dispose` removes both.
 */
export function sel4tsExecutable(): { path: string; dispose(): void } {
  const bundle = join(ROOT, 'dist', `sel4ts-test-${process.pid}.mjs`);
  buildSync({
    entryPoints: [join(ROOT, 'test/helpers/sel4ts-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    external: ['yaml', 'ajv'],
    banner: { js: "import { createRequire as __sel4tsCreateRequire } from 'node:module';\nconst require = __sel4tsCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bin-'));
  const path = join(dir, 'sel4ts');
  writeFileSync(path, `#!/bin/sh\nexec '${process.execPath}' '${bundle}' "$@"\n`, { mode: 0o755 });
  return {
    path,
    dispose: () => {
      rmSync(bundle, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
