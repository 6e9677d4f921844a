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
        if (statSync(full).isDirectory()) return { found: true, bytes: undefined };
        return { found: true, bytes: new Uint8Array(readFileSync(full)) };
      } catch {
        return { found: true, bytes: undefined };
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
  const lookup = options.lookupFile ?? searchPathLookup(options.searchPaths ?? []);
  const ctx = new SdfContext(file, options.config, bag, lookup);
  const format = options.format ?? formatFromName(fileName);
  let root: Element | undefined;
  if (format === 'xml') {
    const xml = readXml(file);
    if (!xml.ok) {
      ctx.report('xml_syntax', `not well-formed XML: ${xml.error.message}`, {
        reference: `Could not parse '${fileName}': ${xml.error.message}`,
        span: { start: xml.error.offset, end: Math.min(text.length, xml.error.offset + 1) },
      });
    } else {
      root = xml.root;
    }
  } else {
    root = readStructured(ctx, format);
  }
  let system: SystemDescription | undefined;
  if (root) {
    if (root.tag !== 'system') {
      ctx.report('sdf_root_not_system', `the root element is <${root.tag}>, not <system>`, {
        span: root.nameSpan,
        hint: 'a system description is a <system> element holding protection_domain, memory_region and channel elements',
      });
    } else {
      system = readSystem(ctx, root);
      validateSystem(ctx, system);
    }
  }
  return { file, diagnostics: bag.items, system, ok: !bag.hasErrors };
}
