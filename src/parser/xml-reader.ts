import type { SourceFile } from '../diagnostics/source-file.js';
import type { Attribute, Element, Text } from './element.js';

/**
 * A small, strict XML 1.0 reader that keeps the source span of every element, attribute name,
 * attribute value and text node.
 *
 * It accepts what roxmltree (the reader behind the reference Microkit tool) accepts with its
 * default options: no DTD, namespaces checked, the five predefined entities and character
 * references only. Its error texts follow roxmltree's wording, ending in ` at row:col`.
 * `docs/architecture.md` records why this is hand-written rather than fast-xml-parser.
 */

export interface XmlError {
  /** roxmltree-style message, including ` at row:col` where roxmltree has one. */
  message: string;
  offset: number;
}

export type XmlResult = { ok: true; root: Element } | { ok: false; error: XmlError };

/** Deeper nesting than this is refused, so hostile input cannot exhaust the stack later. */
const MAX_XML_DEPTH = 1024;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

// Characters XML 1.0 forbids (§2.2 Char), plus lone surrogates.
const NON_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Parse `file.text` as an XML document. Never throws on bad input. */
export function readXml(file: SourceFile): XmlResult {
  const reader = new Reader(file);
  try {
    return { ok: true, root: reader.document() };
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { ok: false, error: { message: e.message, offset: e.offset } };
    throw e;
  }
}

interface OpenElement {
  element: Element;
  /** The qualified name, which the end tag must repeat. */
  name: string;
  namespaces: Map<string, string>;
}

/** An attribute as read, before namespace resolution. */
interface RawAttribute extends Attribute {
  qualifiedName: string;
  prefix: string | undefined;
}

class Reader {
  private pos = 0;
  private readonly text: string;

  constructor(private readonly file: SourceFile) {
    this.text = file.text;
  }

  private at(offset: number): string {
    const { line, column } = this.file.locate(offset);
    return `${line}:${column}`;
  }

  private fail(message: string, offset: number, withPosition = true): never {
    throw new XmlSyntaxError(withPosition ? `${message} at ${this.at(offset)}` : message, offset);
  }

  private endOfStream(what: string, start: number): never {
    this.fail(`invalid ${what} at ${this.at(start)} cause unexpected end of stream`, this.text.length, false);
  }

  document(): Element {
    const t = this.text;
    const bad = NON_XML_CHAR.exec(t);
    if (bad) {
      const cp = bad[0].codePointAt(0)!;
      this.fail(`a non-XML character '\\u{${cp.toString(16)}}' found`, bad.index);
    }
    if (t.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (t.startsWith('<?xml', this.pos) && isSpace(t.charCodeAt(this.pos + 5))) this.declaration();
    let root: Element | undefined;
    const stack: OpenElement[] = [];
    const topNamespaces = new Map<string, string>([['xml', 'http://www.w3.org/XML/1998/namespace']]);
    while (this.pos < t.length) {
      const start = this.pos;
      const c = t.charCodeAt(start);
      if (c !== 0x3c /* < */) {
        const text = this.charData();
        if (stack.length > 0) {
          const node: Text = { kind: 'text', text, span: { start, end: this.pos } };
          stack[stack.length - 1]!.element.children.push(node);
        } else if (text.trim() !== '') {
          this.fail('unknown token', start);
        }
        continue;
      }
      if (t.startsWith('<!--', start)) {
        this.comment();
      } else if (t.startsWith('<![CDATA[', start)) {
        const end = t.indexOf(']]>', start + 9);
        if (end < 0) this.endOfStream('CDATA', start);
        this.pos = end + 3;
        if (stack.length === 0) this.fail('unknown token', start);
        stack[stack.length - 1]!.element.children.push({
          kind: 'text',
          text: normaliseNewlines(t.slice(start + 9, end)),
          span: { start, end: this.pos },
        });
      } else if (t.startsWith('<!DOCTYPE', start)) {
        this.fail('XML with DTD detected', start, false);
      } else if (t.startsWith('<?', start)) {
        this.processingInstruction();
      } else if (t.startsWith('</', start)) {
        this.pos = start + 2;
        const nameStart = this.pos;
        const name = this.name('element');
        this.skipSpace();
        if (t.charCodeAt(this.pos) !== 0x3e) this.unexpectedChar('>', 'element', start);
        this.pos++;
        const open = stack.pop();
        if (!open) this.fail('unexpected close tag', start);
        if (open.name !== name) this.fail(`expected '${open.name}' tag, not '${name}'`, nameStart);
        open.element.span = { start: open.element.span.start, end: this.pos };
      } else if (t.startsWith('<!', start)) {
        this.fail('unknown token', start);
      } else {
        if (root && stack.length === 0) this.fail('unknown token', start);
        if (stack.length >= MAX_XML_DEPTH) {
          this.fail(`elements are nested deeper than ${MAX_XML_DEPTH} levels`, start);
        }
        const parentNs = stack.length > 0 ? stack[stack.length - 1]!.namespaces : topNamespaces;
        const { element, name, namespaces, selfClosing } = this.startTag(parentNs);
        if (stack.length > 0) stack[stack.length - 1]!.element.children.push(element);
        else root = element;
        if (!selfClosing) stack.push({ element, name, namespaces });
      }
    }
    if (stack.length > 0) this.fail('the root node was opened but never closed', this.text.length, false);
    if (!root) this.fail('the document does not have a root node', this.text.length, false);
    return root;
  }

  private unexpectedChar(expected: string, what: string, start: number): never {
    if (this.pos >= this.text.length) this.endOfStream(what, start);
    const actual = String.fromCodePoint(this.text.codePointAt(this.pos)!);
    this.fail(`invalid ${what} at ${this.at(start)} cause expected '${expected}' not '${actual}' at ${this.at(this.pos)}`, this.pos, false);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  private name(what: string): string {
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) this.endOfStream(what, start);
    if (!isNameStart(t.charCodeAt(start))) {
      this.fail(`invalid ${what} at ${this.at(start)} cause invalid name token`, start, false);
    }
    let p = start + 1;
    while (p < t.length && isNameChar(t.charCodeAt(p))) p++;
    this.pos = p;
    return t.slice(start, p);
  }

  private declaration(): void {
    const start = this.pos;
    const end = this.text.indexOf('?>', start);
    if (end < 0) this.endOfStream('XML declaration', start);
    const body = this.text.slice(start + 5, end);
    if (!/^\s+version\s*=\s*(['"])1\.[0-9]+\1/.test(body)) {
      this.fail(`invalid XML declaration at ${this.at(start)} cause expected 'version'`, start, false);
    }
    this.pos = end + 2;
  }

  private comment(): void {
    const start = this.pos;
    const end = this.text.indexOf('-->', start + 4);
    if (end < 0) this.endOfStream('comment', start);
    const body = this.text.slice(start + 4, end);
    if (body.includes('--') || body.endsWith('-')) {
      this.fail(`invalid comment at ${this.at(start)} cause '--' is not allowed in comments`, start, false);
    }
    this.pos = end + 3;
  }

  private processingInstruction(): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.name('processing instruction');
    if (target.toLowerCase() === 'xml') this.fail('unexpected XML declaration', start);
    const end = this.text.indexOf('?>', this.pos);
    if (end < 0) this.endOfStream('processing instruction', start);
    this.pos = end + 2;
  }

  /** Character data up to the next `<`, with references decoded. */
  private charData(): string {
    const t = this.text;
    const start = this.pos;
    let next = t.indexOf('<', start);
    if (next < 0) next = t.length;
    const raw = t.slice(start, next);
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) {
      this.fail(`invalid character data at ${this.at(start + cdataEnd)} cause ']]>' is not allowed inside a character data`, start + cdataEnd, false);
    }
    this.pos = next;
    return raw.includes('&') ? this.decodeReferences(raw, start) : normaliseNewlines(raw);
  }

  private decodeReferences(raw: string, base: number): string {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) {
        out += raw.slice(i);
        break;
      }
      out += raw.slice(i, amp);
      const semi = raw.indexOf(';', amp);
      if (semi < 0) this.fail('malformed entity reference', base + amp);
      const ref = raw.slice(amp + 1, semi);
      if (ref.startsWith('#')) {
        const isHex = ref.startsWith('#x');
        const digits = ref.slice(isHex ? 2 : 1);
        const ok = digits !== '' && (isHex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits);
        const cp = ok ? parseInt(digits, isHex ? 16 : 10) : NaN;
        const valid =
          cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        if (!valid) this.fail('malformed entity reference', base + amp);
        out += String.fromCodePoint(cp);
      } else {
        const value = PREDEFINED_ENTITIES[ref];
        if (value === undefined) {
          if (/^[A-Za-z_:][A-Za-z0-9_:.-]*$/.test(ref)) this.fail(`unknown entity reference '${ref}'`, base + amp);
          this.fail('malformed entity reference', base + amp);
        }
        out += value;
      }
      i = semi + 1;
    }
    return normaliseNewlines(out);
  }

  private startTag(parentNs: Map<string, string>): {
    element: Element;
    name: string;
    namespaces: Map<string, string>;
    selfClosing: boolean;
  } {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    const nameStart = this.pos;
    const name = this.name('element');
    const nameSpan = { start: nameStart, end: this.pos };
    const raw: RawAttribute[] = [];
    let selfClosing = false;
    for (;;) {
      const hadSpace = this.pos < t.length && isSpace(t.charCodeAt(this.pos));
      this.skipSpace();
      if (this.pos >= t.length) this.endOfStream('element', start);
      const c = t.charCodeAt(this.pos);
      if (c === 0x3e /* > */) {
        this.pos++;
        break;
      }
      if (c === 0x2f /* / */) {
        this.pos++;
        if (t.charCodeAt(this.pos) !== 0x3e) this.unexpectedChar('>', 'element', start);
        this.pos++;
        selfClosing = true;
        break;
      }
      if (!hadSpace) this.unexpectedChar(' ', 'attribute', this.pos);
      raw.push(this.attribute());
    }
    // Namespace declarations are not attributes (as in roxmltree); resolve them first.
    let namespaces = parentNs;
    const attributes: RawAttribute[] = [];
    for (const a of raw) {
      if (a.qualifiedName === 'xmlns' || a.prefix === 'xmlns') {
        if (namespaces === parentNs) namespaces = new Map(parentNs);
        if (a.prefix === 'xmlns') namespaces.set(a.name, a.value);
      } else {
        attributes.push(a);
      }
    }
    const { prefix, localName } = splitName(name);
    if (prefix !== undefined && !namespaces.has(prefix)) this.fail(`an unknown namespace prefix '${prefix}'`, nameStart);
    const seen = new Set<string>();
    for (const a of attributes) {
      if (a.prefix !== undefined && !namespaces.has(a.prefix)) {
        this.fail(`an unknown namespace prefix '${a.prefix}'`, a.nameSpan.start);
      }
      const key = a.prefix === undefined ? a.name : `${namespaces.get(a.prefix)}\u0000${a.name}`;
      if (seen.has(key)) this.fail(`attribute '${a.qualifiedName}' at ${this.at(a.nameSpan.start)} is already defined`, a.nameSpan.start, false);
      seen.add(key);
    }
    const element: Element = {
      kind: 'element',
      tag: localName,
      attributes,
      children: [],
      span: { start, end: this.pos },
      nameSpan,
    };
    return { element, name, namespaces, selfClosing };
  }

  private attribute(): RawAttribute {
    const t = this.text;
    const start = this.pos;
    const name = this.name('attribute');
    const nameSpan = { start, end: this.pos };
    this.skipSpace();
    if (t.charCodeAt(this.pos) !== 0x3d /* = */) this.unexpectedChar('=', 'attribute', start);
    this.pos++;
    this.skipSpace();
    const quote = t.charCodeAt(this.pos);
    if (quote !== 0x22 && quote !== 0x27) {
      if (this.pos >= t.length) this.endOfStream('attribute', start);
      this.fail(`invalid attribute at ${this.at(start)} cause expected quote mark not '${t[this.pos]}' at ${this.at(this.pos)}`, this.pos, false);
    }
    const valueStart = this.pos + 1;
    const valueEnd = t.indexOf(String.fromCharCode(quote), valueStart);
    if (valueEnd < 0) this.endOfStream('attribute', start);
    const raw = t.slice(valueStart, valueEnd);
    const lt = raw.indexOf('<');
    if (lt >= 0) this.fail("unescaped '<' found", valueStart + lt);
    this.pos = valueEnd + 1;
    // XML attribute-value normalisation: each newline, CR LF pair or tab becomes one space.
    let value = raw.includes('&') ? this.decodeReferences(raw, valueStart) : normaliseNewlines(raw);
    value = value.replace(/[\t\n\r]/g, ' ');
    const { prefix, localName } = splitName(name);
    return {
      name: localName,
      qualifiedName: name,
      prefix,
      namespaced: prefix !== undefined,
      value,
      span: { start, end: this.pos },
      nameSpan,
      valueSpan: { start: valueStart, end: valueEnd },
    };
  }
}

function splitName(name: string): { prefix: string | undefined; localName: string } {
  const colon = name.indexOf(':');
  if (colon <= 0) return { prefix: undefined, localName: name };
  return { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

function normaliseNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}
