import type { KernelConfig } from '../abi/kernel-config.js';
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../diagnostics/source-file.js';
import type { Element } from '../parser/element.js';
import type { SystemDescription } from '../parser/model.js';
import { SdfContext, type FileLookup } from '../parser/sdf/context.js';
import { readSystem } from '../parser/sdf/system.js';
import { formatFromContent, formatFromName, formatOf, type InputFormat } from '../parser/input-format.js';
import { readStructured } from '../parser/structured-reader.js';
import { checkXmlDeclaration, reportXmlError } from '../parser/xml-diagnostics.js';
import { readXml } from '../parser/xml-reader.js';
import { decodeSource, invalidUtf8Offset, READ_TO_STRING_PANIC, type EncodingProblem } from '../parser/decode.js';
import { addConfigHints, type ConfigSource } from './config-hints.js';
import { validateSystem } from './validate/index.js';
import { hostFiles } from '../util/host-files.js';

export type { InputFormat };
export { formatFromContent, formatFromName, formatOf };

export interface CheckOptions {
  config: KernelConfig;
  /** Directories searched, in order, for prefill files (then the current directory). */
  searchPaths?: string[];
  /** Overrides how files named by the description are found (tests use this). */
  lookupFile?: FileLookup;
  /** Defaults to the file name's extension (.yaml/.yml, .json, .system/.xml), else what the text looks like (see formatOf). */
  format?: InputFormat;
  /**
   * Where `config` came from. When given, an error that another board configuration (or, for
   * a kernel configuration file, another field value) would accept gets a hint naming it
   * (`config-hints.ts`); this checks the text again under those configurations.
   */
  configSource?: ConfigSource;
}

export interface CheckResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
  /** Present when the text could be read into a model (it may still have errors). */
  system: SystemDescription | undefined;
  /** True when there is no error (warnings allowed). */
  ok: boolean;
}

/**
 * Find a file the way the reference tool does: each search path in order, then the cwd, each
 * joined as Rust's `PathBuf::join` joins (an absolute path replaces the directory, so it is
 * looked for as it is). A miss says which places were tried.
 */
export function searchPathLookup(searchPaths: string[]): FileLookup {
  return (path) => {
    const tried = placesTried(searchPaths, path);
    const files = hostFiles();
    for (const full of tried) {
      const kind = files.kind(full);
      if (kind === undefined) continue;
      try {
        if (kind === 'directory') return { found: true, bytes: undefined, path: full };
        return { found: true, bytes: files.read(full), path: full };
      } catch {
        return { found: true, bytes: undefined, path: full };
      }
    }
    return { found: false, tried };
  };
}

/** The paths a lookup of `path` tries, in order, each once. */
export function placesTried(searchPaths: string[], path: string): string[] {
  const files = hostFiles();
  if (files.isAbsolute(path)) return [path];
  return [...new Set([...searchPaths, '.'].map((dir) => files.join(dir, path)))];
}

/**
 * Decode a system description's bytes as the reference tool reads them (UTF-8 only), then
 * check it. A file that is not UTF-8 gets one diagnostic saying where and what it is instead.
 */
export function checkSystemBytes(fileName: string, bytes: Uint8Array, options: CheckOptions): CheckResult {
  const decoded = decodeSource(bytes);
  if (!decoded.problem) return checkSystemSource(fileName, decoded.text, options);
  const file = new SourceFile(fileName, decoded.text);
  const format = options.format ?? formatOf(fileName, decoded.text);
  const diagnostic = encodingDiagnostic(file, decoded.problem, bytes, format);
  return { file, diagnostics: [diagnostic], system: undefined, ok: false };
}

function encodingDiagnostic(file: SourceFile, problem: EncodingProblem, bytes: Uint8Array, format: InputFormat): Diagnostic {
  const span = { start: problem.offset, end: Math.min(file.text.length, problem.offset + 1) };
  const base = { severity: 'error' as const, file, span, notes: [] };
  if (problem.kind === 'invalid_utf8') {
    const hex = problem.byte.toString(16).padStart(2, '0');
    return {
      ...base,
      code: 'encoding_invalid_utf8',
      message: `the file is not UTF-8: byte 0x${hex} at byte offset ${problem.byteOffset} does not begin or continue a UTF-8 character`,
      reference: READ_TO_STRING_PANIC,
      hint: `${problem.latin1 ? 'the file looks like Latin-1 or Windows-1252 text: save it as UTF-8 (for example with iconv -f WINDOWS-1252 -t UTF-8)' : 'save the file as UTF-8'}; the Microkit tool reads UTF-8 only, and stops with a panic on this file`,
    };
  }
  // Without a byte-order mark, UTF-16 of ASCII text is also UTF-8 (with NULs): the reference
  // tool reads it, and its XML reader fails on the first NUL it meets.
  let reference = READ_TO_STRING_PANIC;
  if (!problem.bom && invalidUtf8Offset(bytes) < 0 && format === 'xml') {
    const asUtf8 = readXml(new SourceFile(file.name, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)));
    if (!asUtf8.ok) reference = `Could not parse '${file.name}': ${asUtf8.error.message}`;
  }
  return {
    ...base,
    code: 'encoding_utf16',
    message: `the file is UTF-16 (${problem.bigEndian ? 'big' : 'little'}-endian${problem.bom ? ', with a byte-order mark' : ''}), not UTF-8`,
    reference,
    hint: 'save it as UTF-8 (for example with iconv -f UTF-16 -t UTF-8); the Microkit tool reads UTF-8 only',
  };
}

/**
 * Read and validate a system description: every problem is reported, in the order the
 * reference Microkit tool would meet them.
 */
export function checkSystemSource(fileName: string, text: string, options: CheckOptions): CheckResult {
  const file = new SourceFile(fileName, text);
  const bag = new DiagnosticBag();
  let lookup = options.lookupFile ?? searchPathLookup(options.searchPaths ?? []);
  // Checks under other configurations (for the hints) read the same prefill files: read each once.
  if (options.configSource) lookup = memoised(lookup);
  const ctx = new SdfContext(file, options.config, bag, lookup);
  const root = readRoot(ctx, options.format ?? formatOf(fileName, text));
  const system = root ? readAndValidate(ctx, root) : undefined;
  const result: CheckResult = { file, diagnostics: bag.items, system, ok: !bag.hasErrors };
  if (options.configSource && !result.ok && root) {
    // The element tree is only read, never changed, so it serves every configuration.
    const recheck = (config: KernelConfig): Diagnostic[] => {
      const other = new DiagnosticBag();
      readAndValidate(new SdfContext(file, config, other, lookup), root);
      return other.items;
    };
    addConfigHints(result.diagnostics, options.config, options.configSource, recheck);
  }
  return result;
}

function memoised(lookup: FileLookup): FileLookup {
  const seen = new Map<string, ReturnType<FileLookup>>();
  return (path) => {
    let r = seen.get(path);
    if (!r) {
      r = lookup(path);
      seen.set(path, r);
    }
    return r;
  };
}

/** The element tree of the text, or undefined after reporting why there is none. */
function readRoot(ctx: SdfContext, format: InputFormat): Element | undefined {
  if (format !== 'xml') return readStructured(ctx, format);
  const xml = readXml(ctx.file);
  if (!xml.ok) {
    reportXmlError(ctx, xml.error);
    return undefined;
  }
  if (xml.declaration) checkXmlDeclaration(ctx, xml.declaration);
  return xml.root;
}

/** Read the `<system>` into a model and apply every rule under `ctx.config`. */
function readAndValidate(ctx: SdfContext, root: Element): SystemDescription | undefined {
  if (root.tag !== 'system') {
    ctx.report('sdf_root_not_system', `the root element is <${root.tag}>, not <system>`, {
      span: root.nameSpan,
      hint: 'a system description is a <system> element holding protection_domain, memory_region and channel elements',
    });
    return undefined;
  }
  const system = readSystem(ctx, root);
  validateSystem(ctx, system);
  return system;
}
