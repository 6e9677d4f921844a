import type { KernelConfig } from '../../abi/kernel-config.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Diagnostic, DiagnosticBag, Note, Severity } from '../../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../../diagnostics/source-file.js';
import { attr, type Attribute, type Element } from '../element.js';
import type { Entity } from '../model.js';
import { parseDecimal, parseSdfNumber } from '../numbers.js';
import { suggest } from './suggest.js';

export interface ReportOptions {
  /** The reference tool's line for this problem, if it has one. */
  reference?: string;
  span?: Span;
  hint?: string;
  notes?: Note[];
  severity?: Severity;
}

/** How a file's prefill data is found: a function from a path to bytes, or undefined (and where it looked). */
export type FileLookup = (path: string) => { found: true; bytes: Uint8Array | undefined; path?: string } | { found: false; tried?: string[] };

/**
 * Shared state of one SDF read: the source, the kernel configuration, and the diagnostics.
 * It also knows how the reference tool words each family of message, so element readers
 * only say what is wrong.
 */
export class SdfContext {
  constructor(
    readonly file: SourceFile,
    readonly config: KernelConfig,
    readonly diagnostics: DiagnosticBag,
    readonly lookupFile: FileLookup,
  ) {}

  /** The reference tool's `file:row:col` of an element (its `<`). */
  loc(el: Element): string {
    const { line, column } = this.file.locate(el.span.start);
    return `${this.file.name}:${line}:${column}`;
  }

  report(code: DiagnosticCode, message: string, options: ReportOptions = {}): void {
    const d: Diagnostic = {
      severity: options.severity ?? 'error',
      code,
      message,
      file: this.file,
      notes: options.notes ?? [],
    };
    if (options.reference !== undefined) d.reference = options.reference;
    if (options.span !== undefined) d.span = options.span;
    if (options.hint !== undefined) d.hint = options.hint;
    this.diagnostics.add(d);
  }

  /** The reference tool's "value error": `Error: {msg} on element '{tag}': LOC`. */
  valueError(code: DiagnosticCode, el: Element, message: string, options: ReportOptions = {}): void {
    this.report(code, message, {
      span: el.nameSpan,
      ...options,
      reference: `Error: ${message} on element '${el.tag}': ${this.loc(el)}`,
    });
  }

  missing(el: Element, name: string, hint?: string): void {
    const reference = `Error: Missing required attribute '${name}' on element '${el.tag}': ${this.loc(el)}`;
    const prefixed = el.attributes.find((a) => a.name === name && a.namespaced);
    const options: ReportOptions = { reference, span: el.nameSpan };
    if (prefixed) options.hint = `the attribute '${name}' here has a namespace prefix; the SDF reads only un-prefixed attributes`;
    else if (hint !== undefined) options.hint = hint;
    this.report('attribute_missing', `missing required attribute '${name}' on element '${el.tag}'`, options);
  }

  /**
   * Report every attribute not in `allowed` (the reference reports only the first).
   * `legacy` maps an attribute name to a code and hint for forms older Microkit versions used.
   * Returns true when all attributes were allowed.
   */
  checkAttributes(el: Element, allowed: readonly string[], legacy: Record<string, { code: DiagnosticCode; hint: string }> = {}): boolean {
    let ok = true;
    for (const a of el.attributes) {
      if (allowed.includes(a.name)) continue;
      ok = false;
      this.invalidAttribute(el, a, allowed, legacy[a.name]);
    }
    return ok;
  }

  invalidAttribute(el: Element, a: Attribute, allowed: readonly string[], legacy?: { code: DiagnosticCode; hint: string }): void {
    const message = `invalid attribute '${a.name}'`;
    const reference = `Error: ${message} on element '${el.tag}': ${this.loc(el)}`;
    if (legacy) {
      this.report(legacy.code, `${message} on element '${el.tag}': this is an older Microkit form`, { reference, span: a.nameSpan, hint: legacy.hint });
      return;
    }
    const guess = suggest(a.name, allowed);
    const hint = guess !== undefined ? `did you mean '${guess}'?` : allowed.length > 0 ? `'${el.tag}' takes: ${allowed.join(', ')}` : `'${el.tag}' takes no attributes`;
    this.report('attribute_invalid', `${message} on element '${el.tag}'`, { reference, span: a.nameSpan, hint });
  }

  /**
   * (N) Parse an optional SDF number. Returns `undefined` when absent; `null` after reporting a
   * parse error (and marking the attribute invalid on `entity`).
   */
  number(el: Element, name: string, entity?: Entity): bigint | undefined | null {
    const a = attr(el, name);
    if (!a) return undefined;
    const r = parseSdfNumber(a.value);
    if (r.ok) return r.value;
    entity?.invalid.add(name);
    this.report('number_invalid', `failed to parse integer '${a.value}' for '${name}' on element '${el.tag}': ${r.reason}`, {
      reference: `Error: failed to parse integer '${a.value}' on element '${el.tag}': ${r.reason}`,
      span: a.valueSpan,
      hint: 'numbers are decimal or 0x-prefixed hexadecimal (lowercase 0x); _ may separate digits',
    });
    return null;
  }

  /**
   * (D) Parse an optional plain decimal. The reference tool crashes on a malformed value; we
   * report it. Returns `undefined` when absent, `null` after an error.
   */
  decimal(el: Element, name: string, signed: boolean, entity?: Entity): bigint | undefined | null {
    const a = attr(el, name);
    if (!a) return undefined;
    const r = parseDecimal(a.value, signed);
    if (r.ok) return r.value;
    entity?.invalid.add(name);
    const negative = !signed && /^-[0-9]+$/.test(a.value);
    this.report('decimal_invalid', `'${name}' on element '${el.tag}' must be a ${negative ? 'non-negative ' : ''}decimal integer, not '${a.value}'`, {
      span: a.valueSpan,
      hint: `write '${name}' in plain decimal digits (no 0x, no _); the reference Microkit tool crashes on this value instead of reporting it`,
    });
    return null;
  }

  /** A boolean attribute: exactly `true` or `false`. */
  bool(el: Element, name: string, dflt: boolean, entity?: Entity): boolean {
    const a = attr(el, name);
    if (!a) return dflt;
    if (a.value === 'true') return true;
    if (a.value === 'false') return false;
    entity?.invalid.add(name);
    const lower = a.value.trim().toLowerCase();
    const hint = lower === 'true' || lower === 'false' ? `write '${lower}' exactly (lowercase, no spaces)` : undefined;
    this.valueError('bool_invalid', el, `${name} must be 'true' or 'false'`, { span: a.valueSpan, ...(hint ? { hint } : {}) });
    return dflt;
  }

  /** Span of an attribute's value, or of the element's name when the attribute is absent. */
  valueSpan(el: Element, name: string): Span {
    return attr(el, name)?.valueSpan ?? el.nameSpan;
  }
}
