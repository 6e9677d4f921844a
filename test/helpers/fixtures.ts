import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boardKernelConfig, findBoard } from '../../src/abi/boards.js';
import { TEST_CONFIGS, type KernelConfig } from '../../src/abi/kernel-config.js';
import { buildSystem, type BuildOptions, type BuildResult } from '../../src/compiler/build.js';
import { checkSystemBytes, type CheckResult } from '../../src/compiler/check.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { decodeSource } from '../../src/parser/decode.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'diagnostics');
const FIXTURE_FILES = join(FIXTURE_DIR, 'files');

/** A diagnostic as fixtures pin it: `code@line:col`. */
export function key(d: { code: string; line: number; column: number }): string {
  return `${d.code}@${d.line}:${d.column}`;
}

/**
 * The kernel configuration a fixture asks for in a `config:` (a test configuration) or `board:`
 * comment; the default board otherwise.
 */
function fixtureConfig(text: string): KernelConfig {
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

/**
 * Check a fixture from its bytes, as the CLI does, so encoding fixtures (Latin-1, UTF-16) are
 * read as the reference tool reads them. `text` is the file as decoded for display.
 */
export function checkFixture(name: string): { result: CheckResult; text: string } {
  const bytes = new Uint8Array(readFileSync(join(FIXTURE_DIR, name)));
  const text = decodeSource(bytes).text;
  const result = checkSystemBytes(name, bytes, { config: fixtureConfig(text), searchPaths: [FIXTURE_FILES] });
  return { result, text };
}

export const BUILD_FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'build');
export const BUILD_PROGRAMS = join(BUILD_FIXTURE_DIR, 'programs');
/** Policy fixtures (test/policy-diagnostics.test.ts): policies named after their codes, for system.system there. */
export const POLICY_FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'policy');

/** A diagnostic as build fixtures pin it: `code@line:col`, or `code` when it has no place. */
export function buildKey(d: Diagnostic): string {
  if (!d.file || !d.span) return d.code;
  const p = d.file.locate(d.span.start);
  return `${d.code}@${p.line}:${p.column}`;
}

/**
 * The build options a build fixture asks for in a `build:` comment: `config=release`,
 * `board=…`, `monitor=<file in programs/>`. Programs are found in `programs/`.
 */
function buildFixtureOptions(text: string): BuildOptions {
  const options: BuildOptions = { searchPaths: [BUILD_PROGRAMS] };
  const line = /build: ([^\n]*?)\s*-->/.exec(text)?.[1] ?? '';
  for (const setting of line.split(/\s+/).filter((s) => s !== '')) {
    const [key, value] = setting.split('=') as [string, string];
    if (key === 'config') options.config = value;
    else if (key === 'board') options.board = value;
    else if (key === 'monitor') options.monitorElf = join(BUILD_PROGRAMS, value);
    else throw new Error(`unknown build fixture setting ${setting}`);
  }
  return options;
}

export function buildFixture(name: string): { result: BuildResult; text: string } {
  const text = readFileSync(join(BUILD_FIXTURE_DIR, name), 'utf8');
  return { result: buildSystem(name, text, buildFixtureOptions(text)), text };
}
