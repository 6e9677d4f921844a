import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelConfig } from '../abi/kernel-config.js';
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../diagnostics/source-file.js';
import type { Element } from '../parser/element.js';
import type { SystemDescription } from '../parser/model.js';
import { SdfContext, type FileLookup } from '../parser/sdf/context.js';
import { readSystem } from '../parser/sdf/system.js';
import { readStructured, type StructuredFormat } from '../parser/structured-reader.js';
import { readXml } from '../parser/xml-reader.js';
import { addConfigHints, type ConfigSource } from './config-hints.js';
import { validateSystem } from './validate/index.js';

export type InputFormat = 'xml' | StructuredFormat;

export interface CheckOptions {
  config: KernelConfig;
  /** Directories searched, in order, for prefill files (then the current directory). */
  searchPaths?: string[];
  /** Overrides how files named by the description are found (tests use this). */
  lookupFile?: FileLookup;
  /** Defaults to the file name's extension: .yaml/.yml, .json, else XML. */
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

function formatFromName(name: string): InputFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  return 'xml';
}

/** Find a file the way the reference tool does: each search path in order, then the cwd. */
export function searchPathLookup(searchPaths: string[]): FileLookup {
  return (path) => {
    for (const dir of [...searchPaths, '.']) {
      const full = join(dir, path);
      if (!existsSync(full)) continue;
      try {
        if (statSync(full).isDirectory()) return { found: true, bytes: undefined, path: full };
        return { found: true, bytes: new Uint8Array(readFileSync(full)), path: full };
      } catch {
        return { found: true, bytes: undefined, path: full };
      }
    }
    return { found: false };
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
  const root = readRoot(ctx, options.format ?? formatFromName(fileName));
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
  if (xml.ok) return xml.root;
  ctx.report('xml_syntax', `not well-formed XML: ${xml.error.message}`, {
    reference: `Could not parse '${ctx.file.name}': ${xml.error.message}`,
    span: { start: xml.error.offset, end: Math.min(ctx.file.text.length, xml.error.offset + 1) },
  });
  return undefined;
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
