import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { provideJitDump } from '../machine/cpu/jit/compile.js';
import { provideSchemaLibrary } from '../parser/schema-check.js';
import { provideYaml } from '../parser/yaml-lib.js';
import { provideHostFiles } from '../util/host-files.js';
import { packageFile } from './package-file.js';

/**
 * Gives the core what it takes from its host, from Node: the file system, the YAML and JSON
 * Schema libraries (loaded on first use), and SEL4TS_JIT_DUMP. The core imports nothing of
 * Node's so that the playground runs it in a browser; `main` (and the tests' setup, and the
 * scripts) call this once before using it.
 */
export function installNodeHost(): void {
  provideHostFiles({
    read: (path) => new Uint8Array(readFileSync(path)),
    kind(path) {
      if (!existsSync(path)) return undefined;
      try {
        return statSync(path).isDirectory() ? 'directory' : 'file';
      } catch {
        // It exists but cannot be looked at: reading it says why.
        return 'file';
      }
    },
    isAbsolute,
    join,
    packageFile,
  });
  const require = createRequire(import.meta.url);
  provideYaml(() => require('yaml') as typeof import('yaml'));
  provideSchemaLibrary(() => ({
    Ajv: (require('ajv') as typeof import('ajv')).Ajv,
    schema: JSON.parse(readFileSync(packageFile('schemas/system.schema.json'), 'utf8')) as unknown,
  }));
  const dumpDir = process.env.SEL4TS_JIT_DUMP;
  provideJitDump(dumpDir ? (name, source) => writeFileSync(join(dumpDir, name), source) : undefined);
}
