import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boardKernelConfig, findBoard } from '../../src/abi/boards.js';
import { TEST_CONFIGS, type KernelConfig } from '../../src/abi/kernel-config.js';
import { checkSystemSource, type CheckResult } from '../../src/compiler/check.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'diagnostics');
export const FIXTURE_FILES = join(FIXTURE_DIR, 'files');

/** A diagnostic as fixtures pin it: `code@line:col`. */
export function key(d: { code: string; line: number; column: number }): string {
  return `${d.code}@${d.line}:${d.column}`;
}

/**
 * The kernel configuration a fixture asks for in a `config:` (a test configuration) or `board:`
 * comment; the default board otherwise.
 */
export function fixtureConfig(text: string): KernelConfig {
  const config = /config: ([\w-]+)/.exec(text)?.[1];
  if (config) {
    const c = TEST_CONFIGS[config];
    if (!c) throw new Error(`unknown test configuration ${config}`);
    return c;
  }
  const board = findBoard(/board: ([\w-]+)/.exec(text)?.[1] ?? 'qemu_virt_aarch64');
  if (!board) throw new Error('unknown board');
  return boardKernelConfig(board, 'debug')!;
}

/** The `expect:` line of a fixture (a comment in XML/YAML, the first line of a sidecar `.expect` file for JSON). */
export function fixtureExpectations(name: string, text: string): string[] | undefined {
  const own = /expect: ([^\n]*?)\s*(-->)?\n/.exec(text)?.[1];
  let line = own;
  if (line === undefined) {
    line = sidecar(name)?.split('\n')[0]?.trim();
    if (line === undefined) return undefined;
  }
  return line
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The `reference:` lines of a fixture, in order: the exact text the reference Microkit tool prints
 * for each diagnostic that has one (`Diagnostic.reference`), written from the message templates of
 * ../shared/spec/sdf.md. A reference that spans lines is written on one line, its line breaks as
 * the two characters `\n`.
 */
export function fixtureReferences(name: string, text: string): string[] {
  if (name.endsWith('.json')) text = sidecar(name) ?? '';
  return [...text.matchAll(/^(?:<!--|#)? *reference: (.*?)\s*(?:-->)?$/gm)].map((m) => m[1]!.replaceAll('\\n', '\n'));
}

/** The `reference:` comment line that pins `reference` in a fixture of this kind. */
export function referenceLine(name: string, reference: string): string {
  const text = reference.replaceAll('\n', '\\n');
  if (name.endsWith('.json')) return `reference: ${text}`;
  return name.endsWith('.yaml') ? `# reference: ${text}` : `<!-- reference: ${text} -->`;
}

/** Where a fixture's `reference:` lines go: at its end, or in the `.expect` file of a JSON one. */
export function referencePlace(name: string): string {
  return name.endsWith('.json') ? `${name}.expect` : name;
}

function sidecar(name: string): string | undefined {
  try {
    return readFileSync(join(FIXTURE_DIR, `${name}.expect`), 'utf8');
  } catch {
    return undefined;
  }
}

export function checkFixture(name: string): { result: CheckResult; text: string } {
  const text = readFileSync(join(FIXTURE_DIR, name), 'utf8');
  const result = checkSystemSource(name, text, { config: fixtureConfig(text), searchPaths: [FIXTURE_FILES] });
  return { result, text };
}
