import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { SourceFile } from '../diagnostics/source-file.js';
import { decodeSource } from '../parser/decode.js';
import { yamlLib } from '../parser/yaml-lib.js';
import type { PolicyLibraries } from '../policy/policy-file.js';
import { packageFile } from './package-file.js';
import { UsageError } from './io.js';
import { readErrorWhy } from './read-error.js';

/**
 * `--policy FILE` (check and build): reading the policy files and the libraries src/policy/
 * reads them with. src/policy/ itself reads no files, so it runs in a browser too.
 */

let validator: ValidateFunction | undefined;

/** The YAML library and the compiled schemas/policy.schema.json (compiled once, on first use). */
export function policyLibraries(): PolicyLibraries {
  if (!validator) {
    const schema: unknown = JSON.parse(readFileSync(packageFile('schemas/policy.schema.json'), 'utf8'));
    // Loaded on first use, as for the system schema (src/parser/schema-check.ts).
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema as object);
  }
  return { yaml: yamlLib(), validate: validator };
}

/** The policy files, read as UTF-8; one that cannot be read is a usage error (exit 2). */
export function readPolicyFiles(paths: string[] | undefined): SourceFile[] {
  return (paths ?? []).map((path) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new UsageError(`cannot read the policy '${path}': ${readErrorWhy(e)}`);
    }
    const decoded = decodeSource(bytes);
    if (decoded.problem) throw new UsageError(`the policy '${path}' is not UTF-8 text (${decoded.problem.kind === 'utf16' ? 'UTF-16' : `byte ${decoded.problem.byteOffset} is not UTF-8`})`);
    return new SourceFile(path, decoded.text);
  });
}
