import type { SourceFile, Span } from '../diagnostics/source-file.js';
import type { Attribute, Element, Text } from './element.js';

/**
 * A small, strict XML 1.0 reader that keeps the source span of every element, attribute name,
 * attribute value and text node.
 *
 * It accepts what roxmltree 0.19 (the reader behind the reference Microkit tool) accepts with
 * its default options, and fails where and as it fails: the same grammar walked in the same
 * order (declaration, misc, root element, misc), no DTD, namespaces checked, the five
 * predefined entities and character references only, and the same error texts ending in
 * ` at row:col`. `docs/architecture.md` records why this is hand-written.
 */

/** The reader produces the format-neutral tree directly (local names; prefixed attributes flagged). */

export interface XmlError {
  /** roxmltree's message, including ` at row:col` where roxmltree has one. */
  message: string;
  offset: number;
  /**
   * When the error is an element left open (a close tag of an enclosing element, or the end of
   * the file, came first): that element's name and start-tag name span.
   */
  unclosed?: { name: string; nameSpan: Span };
  /** For a mismatched close tag that closes nothing open: the element it should have closed. */
  open?: { name: string; nameSpan: Span };
}

/** One `name="value"` of the XML declaration. roxmltree checks its syntax only. */
export interface XmlPseudoAttribute {
  name: string;
  value: string;
  nameSpan: Span;
  valueSpan: Span;
}

export interface XmlDeclaration {
  span: Span;
  version: XmlPseudoAttribute;
  encoding?: XmlPseudoAttribute;
  standalone?: XmlPseudoAttribute;
}

export type XmlResult = { ok: true; root: Element; declaration?: XmlDeclaration } | { ok: false; error: XmlError };

/** Deeper nesting than this is refused, so hostile input cannot exhaust the stack later. */
const MAX_XML_DEPTH = 1024;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly extra: Pick<XmlError, 'unclosed' | 'open'> = {},
  ) {
    super(message);
  }
}

function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

// Characters XML 1.0 forbids (§2.2 Char), plus lone surrogates (which text decoded from UTF-8
// cannot hold, but a string can).
const NON_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** XML 1.0 Char (the text is Unicode, so surrogates cannot occur as such). */
function isXmlChar(c: number): boolean {
  return c < 0x20 ? c === 0x09 || c === 0x0a || c === 0x0d : c !== 0xfffe && c !== 0xffff;
}

/** Rust's `{:?}` of a char, as roxmltree prints a non-XML character. */
function rustCharDebug(c: number): string {
  const escapes: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 39: "\\'", 92: '\\\\' };
  return `'${escapes[c] ?? `\\u{${c.toString(16)}}`}'`;
}

/** Parse `file.text` as an XML document. Never throws on bad input. */
export function readXml(file: SourceFile): XmlResult {
  const reader = new Reader(file);
  try {
    const root = reader.document();
    return reader.declaration ? { ok: true, root, declaration: reader.declaration } : { ok: true, root };
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { ok: false, error: { message: e.message, offset: e.offset, ...e.extra } };
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

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/**
 * The reader walks the text as roxmltree's tokenizer walks its bytes. Positions are UTF-16
 * offsets; where roxmltree prints "the byte" it found, `byteChar` gives what it prints.
 */
class Reader {
  private pos = 0;
  private readonly text: string;
  private readonly stack: OpenElement[] = [];
  private root: Element | undefined;
  declaration: XmlDeclaration | undefined;

  constructor(private readonly file: SourceFile) {
    this.text = file.text;
  }

  private at(offset: number): string {
    const { line, column } = this.file.locate(offset);
    return `${line}:${column}`;
  }

  private fail(message: string, offset: number, extra?: Pick<XmlError, 'unclosed' | 'open'>): never {
    throw new XmlSyntaxError(message, offset, extra);
  }

  private endOfStream(): never {
    this.fail('unexpected end of stream', this.text.length);
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** The character roxmltree prints for the byte at `offset`: a UTF-8 lead byte read as Latin-1. */
  private byteChar(offset: number): string {
    const cp = this.text.codePointAt(offset)!;
    if (cp < 0x80) return String.fromCharCode(cp);
    const lead = cp < 0x800 ? 0xc0 | (cp >> 6) : cp < 0x10000 ? 0xe0 | (cp >> 12) : 0xf0 | (cp >> 18);
    return String.fromCharCode(lead);
  }

  /** roxmltree `InvalidChar`: `expected 'X' not 'Y' at …` (end of stream when there is no Y). */
  private expectChar(expected: string): void {
    if (this.atEnd()) this.endOfStream();
    if (this.text[this.pos] !== expected) this.fail(`expected '${expected}' not '${this.byteChar(this.pos)}' at ${this.at(this.pos)}`, this.pos);
    this.pos++;
  }

  /** roxmltree `InvalidChar2`: `expected a whitespace not 'Y' at …`. */
  private unexpected(description: string): never {
    if (this.atEnd()) this.endOfStream();
    this.fail(`expected ${description} not '${this.byteChar(this.pos)}' at ${this.at(this.pos)}`, this.pos);
  }

  /** roxmltree `skip_string`: `expected '…' at …`. */
  private expectString(s: string): void {
    if (!this.startsWith(s)) this.fail(`expected '${s}' at ${this.at(this.pos)}`, this.pos);
    this.pos += s.length;
  }

  private skipSpaces(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  /** At least one space. */
  private consumeSpaces(): void {
    if (this.atEnd()) this.endOfStream();
    if (!isSpace(this.text.charCodeAt(this.pos))) this.unexpected('a whitespace');
    this.skipSpaces();
  }

  /**
   * The text up to `end` (a terminator found by search), each character checked to be an XML
   * Char as roxmltree checks them on its way to the terminator.
   */
  private charsTo(end: number): string {
    const start = this.pos;
    const region = this.text.slice(start, end);
    const bad = NON_XML_CHAR.exec(region);
    if (bad) {
      const at = start + bad.index;
      this.fail(`a non-XML character ${rustCharDebug(this.text.codePointAt(at)!)} found at ${this.at(at)}`, at);
    }
    this.pos = end;
    return region;
  }

  /** Where `s` next occurs, or the end of the text. */
  private find(s: string): number {
    const at = this.text.indexOf(s, this.pos);
    return at < 0 ? this.text.length : at;
  }

  private invalidName(start: number): never {
    this.fail(`invalid name token at ${this.at(start)}`, start);
  }

  /** A Name (PI targets, entity names). */
  private name(): string {
    const t = this.text;
    const start = this.pos;
    if (this.pos < t.length) {
      const c = t.codePointAt(this.pos)!;
      if (!isNameStart(c)) this.invalidName(start);
      this.pos += c > 0xffff ? 2 : 1;
    }
    while (this.pos < t.length) {
      const c = t.codePointAt(this.pos)!;
      if (!isNameChar(c)) break;
      this.pos += c > 0xffff ? 2 : 1;
    }
    if (this.pos === start) this.invalidName(start);
    return t.slice(start, this.pos);
  }

  /** A qualified name: at most one ':', each part starting with a NameStartChar. */
  private qname(): { prefix: string | undefined; local: string; name: string } {
    const t = this.text;
    const start = this.pos;
    let colon = -1;
    while (this.pos < t.length) {
      const c = t.codePointAt(this.pos)!;
      if (c === 0x3a) {
        if (colon >= 0) this.invalidName(start);
        colon = this.pos;
      } else if (!isNameChar(c)) break;
      this.pos += c > 0xffff ? 2 : 1;
    }
    const name = t.slice(start, this.pos);
    const prefix = colon >= 0 ? t.slice(start, colon) : undefined;
    const local = colon >= 0 ? t.slice(colon + 1, this.pos) : name;
    if (prefix !== undefined && prefix !== '' && !isNameStart(prefix.codePointAt(0)!)) this.invalidName(start);
    if (local === '' || !isNameStart(local.codePointAt(0)!)) this.invalidName(start);
    return { prefix: prefix === '' ? undefined : prefix, local, name };
  }

  document(): Element {
    const t = this.text;
    if (t.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (this.startsWith('<?xml ')) this.xmlDeclaration();
    this.misc();
    this.skipSpaces();
    if (this.startsWith('<!DOCTYPE')) this.fail('XML with DTD detected', this.pos);
    this.skipSpaces();
    if (this.startsWith('<')) this.element();
    this.misc();
    if (!this.atEnd()) this.fail(`unknown token at ${this.at(this.pos)}`, this.pos);
    if (!this.root) this.fail('the document does not have a root node', t.length);
    if (this.stack.length > 0) {
      const open = this.stack[this.stack.length - 1]!;
      this.fail('the root node was opened but never closed', t.length, { unclosed: { name: open.name, nameSpan: open.element.nameSpan } });
    }
    return this.root;
  }

  /** Comments, processing instructions and spaces, outside the root element. */
  private misc(): void {
    while (!this.atEnd()) {
      this.skipSpaces();
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.processingInstruction();
      else break;
    }
  }

  // XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'. roxmltree checks this
  // grammar and nothing about the values; `checkXmlDeclaration` checks them.
  private xmlDeclaration(): void {
    const start = this.pos;
    const spaces = () => {
      if (!this.atEnd() && isSpace(this.text.charCodeAt(this.pos))) this.skipSpaces();
      else if (!this.startsWith('?>') && !this.atEnd()) this.unexpected('a whitespace');
    };
    this.pos += 5;
    spaces();
    if (!this.startsWith('version')) this.expectString('version');
    const version = this.pseudoAttribute();
    spaces();
    const encoding = this.startsWith('encoding') ? this.pseudoAttribute() : undefined;
    if (encoding) spaces();
    const standalone = this.startsWith('standalone') ? this.pseudoAttribute() : undefined;
    this.skipSpaces();
    this.expectString('?>');
    this.declaration = { span: { start, end: this.pos }, version, ...(encoding ? { encoding } : {}), ...(standalone ? { standalone } : {}) };
  }

  private pseudoAttribute(): XmlPseudoAttribute {
    const nameStart = this.pos;
    const { name } = this.qname();
    const nameSpan = { start: nameStart, end: this.pos };
    const { valueSpan } = this.attributeValue();
    return { name, value: this.text.slice(valueSpan.start, valueSpan.end), nameSpan, valueSpan };
  }

  /** `= "value"` after an attribute name: the raw value's span. */
  private attributeValue(): { valueSpan: Span } {
    this.skipSpaces();
    this.expectChar('=');
    this.skipSpaces();
    if (this.atEnd()) this.endOfStream();
    const quote = this.text[this.pos]!;
    if (quote !== '"' && quote !== "'") this.unexpected('a quote');
    this.pos++;
    const start = this.pos;
    this.charsTo(Math.min(this.find(quote), this.find('<')));
    const valueSpan = { start, end: this.pos };
    this.expectChar(quote);
    return { valueSpan };
  }

  private comment(): void {
    const start = this.pos;
    this.pos += 4;
    const body = this.charsTo(this.find('-->'));
    this.expectString('-->');
    if (body.includes('--') || body.endsWith('-')) this.fail(`comment at ${this.at(start)} contains '--'`, start);
  }

  private processingInstruction(): void {
    if (this.startsWith('<?xml ')) this.fail(`unexpected XML declaration at ${this.at(this.pos)}`, this.pos);
    this.pos += 2;
    this.name();
    this.skipSpaces();
    this.charsTo(this.find('?>'));
    this.expectString('?>');
  }

  private cdata(): string {
    this.pos += 9;
    const body = this.charsTo(this.find(']]>'));
    this.expectString(']]>');
    return body;
  }

  /** The root element and everything in it (iteratively, so depth costs no host stack). */
  private element(): void {
    const t = this.text;
    if (!this.startTag()) return;
    while (this.stack.length > 0 && !this.atEnd()) {
      const start = this.pos;
      if (t.charCodeAt(start) !== 0x3c /* < */) {
        this.textNode();
        continue;
      }
      if (start + 1 >= t.length) this.fail(`unknown token at ${this.at(start)}`, start);
      const next = t[start + 1];
      if (next === '!') {
        if (this.startsWith('<!--')) this.comment();
        else if (this.startsWith('<![CDATA[')) {
          const body = this.cdata();
          this.appendText(normaliseNewlines(body), { start, end: this.pos });
        } else this.fail(`unknown token at ${this.at(start)}`, start);
      } else if (next === '?') {
        this.processingInstruction();
      } else if (next === '/') {
        this.closeTag();
      } else if (!this.startTag()) {
        return;
      }
    }
  }

  /** Text up to the next `<`, with references decoded. */
  private textNode(): void {
    const start = this.pos;
    const raw = this.charsTo(this.find('<'));
    if (raw.includes(']]>')) this.fail(`']]>' at ${this.at(this.pos)} is not allowed inside a character data`, this.pos);
    const text = raw.includes('&') || raw.includes('\r') ? this.decodeReferences(raw, start, false) : raw;
    this.appendText(text, { start, end: this.pos });
  }

  /** roxmltree joins text and CDATA that follow each other into one text node. */
  private appendText(text: string, span: Span): void {
    const children = this.stack[this.stack.length - 1]!.element.children;
    const last = children[children.length - 1];
    if (last?.kind === 'text' && last.span.end === span.start) {
      last.text += text;
      last.span = { start: last.span.start, end: span.end };
    } else {
      children.push({ kind: 'text', text, span } satisfies Text);
    }
  }

  /**
   * Character and entity references decoded; literal newlines normalised (CR LF → LF in text,
   * each of tab/CR/LF → space in attribute values), but not the characters references produce.
   */
  private decodeReferences(raw: string, base: number, attribute: boolean): string {
    const literal = (s: string) => {
      const n = normaliseNewlines(s);
      return attribute ? n.replace(/[\t\n]/g, ' ') : n;
    };
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) {
        out += literal(raw.slice(i));
        break;
      }
      out += literal(raw.slice(i, amp));
      const ref = this.reference(raw, amp);
      if (ref.kind === 'malformed') this.fail(`malformed entity reference at ${this.at(base + amp)}`, base + amp);
      if (ref.kind === 'entity') this.fail(`unknown entity reference '${ref.name}' at ${this.at(base + amp)}`, base + amp);
      out += ref.text;
      i = ref.end;
    }
    return out;
  }

  /** A reference at `raw[amp]` (`&`), read as roxmltree reads one. */
  private reference(raw: string, amp: number): { kind: 'char'; text: string; end: number } | { kind: 'entity'; name: string } | { kind: 'malformed' } {
    let p = amp + 1;
    if (raw[p] === '#') {
      p++;
      const hex = raw[p] === 'x';
      if (hex) p++;
      const digits = (hex ? /^[0-9a-fA-F]*/ : /^[0-9]*/).exec(raw.slice(p))![0];
      p += digits.length;
      const n = digits === '' ? NaN : parseInt(digits, hex ? 16 : 10);
      // Rust's u32 parse fails above 2^32 - 1; a value that is not a char becomes U+FFFD.
      if (Number.isNaN(n) || n > 0xffffffff) return { kind: 'malformed' };
      const cp = n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? 0xfffd : n;
      if (!isXmlChar(cp) || raw[p] !== ';') return { kind: 'malformed' };
      return { kind: 'char', text: String.fromCodePoint(cp), end: p + 1 };
    }
    const start = p;
    if (p < raw.length) {
      const c = raw.codePointAt(p)!;
      if (!isNameStart(c)) return { kind: 'malformed' };
      p += c > 0xffff ? 2 : 1;
      while (p < raw.length && isNameChar(raw.codePointAt(p)!)) p += raw.codePointAt(p)! > 0xffff ? 2 : 1;
    }
    const name = raw.slice(start, p);
    if (name === '' || raw[p] !== ';') return { kind: 'malformed' };
    const value = PREDEFINED_ENTITIES[name];
    return value === undefined ? { kind: 'entity', name } : { kind: 'char', text: value, end: p + 1 };
  }

  private closeTag(): void {
    const start = this.pos;
    this.pos += 2;
    const { name } = this.qname();
    this.skipSpaces();
    this.expectChar('>');
    const open = this.stack.pop()!;
    if (open.name !== name) {
      // The element left open, if the tag closes one around it; else the tag is just wrong.
      const closesOuter = this.stack.some((o) => o.name === name);
      const where = { name: open.name, nameSpan: open.element.nameSpan };
      this.fail(`expected '${open.name}' tag, not '${name}' at ${this.at(start)}`, start, closesOuter ? { unclosed: where } : { open: where });
    }
    open.element.span = { start: open.element.span.start, end: this.pos };
  }

  /** A start tag; false when the text ends inside it (roxmltree then drops the element). */
  private startTag(): boolean {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    const nameStart = this.pos;
    const { prefix, local, name } = this.qname();
    const nameSpan = { start: nameStart, end: this.pos };
    if (prefix === 'xmlns') this.fail(`the 'xmlns' prefix is used at ${this.at(nameStart)}, but it must not be`, nameStart);
    const parentNs = this.stack.length > 0 ? this.stack[this.stack.length - 1]!.namespaces : new Map([['xml', XML_NAMESPACE]]);
    let namespaces = parentNs;
    const declared = new Set<string>();
    const raw: RawAttribute[] = [];
    let selfClosing: boolean | undefined;
    while (!this.atEnd()) {
      const hadSpace = isSpace(t.charCodeAt(this.pos));
      this.skipSpaces();
      if (this.atEnd()) this.endOfStream();
      const c = t[this.pos];
      if (c === '/') {
        this.pos++;
        this.expectChar('>');
        selfClosing = true;
        break;
      }
      if (c === '>') {
        this.pos++;
        selfClosing = false;
        break;
      }
      if (!hadSpace) this.consumeSpaces();
      const attrStart = this.pos;
      const q = this.qname();
      const attrNameSpan = { start: attrStart, end: this.pos };
      const { valueSpan } = this.attributeValue();
      const rawValue = t.slice(valueSpan.start, valueSpan.end);
      const value = /[&\t\n\r]/.test(rawValue) ? this.decodeReferences(rawValue, valueSpan.start, true) : rawValue;
      const here = this.at(attrStart);
      // Namespace declarations are not attributes (as in roxmltree); they are checked as read.
      if (q.prefix === 'xmlns' || (q.prefix === undefined && q.local === 'xmlns')) {
        if (value === XMLNS_NAMESPACE) this.fail(`the 'xmlns' URI is used at ${here}, but it must not be declared`, attrStart);
        if (q.prefix === 'xmlns') {
          if (q.local === 'xml' && value !== XML_NAMESPACE) this.fail(`'xml' namespace prefix mapped to wrong URI at ${here}`, attrStart);
          if (q.local !== 'xml' && value === XML_NAMESPACE) this.fail(`the 'xml' namespace URI is used for not 'xml' prefix at ${here}`, attrStart);
          if (declared.has(q.local)) this.fail(`namespace '${q.local}' at ${here} is already defined`, attrStart);
          declared.add(q.local);
          if (namespaces === parentNs) namespaces = new Map(parentNs);
          namespaces.set(q.local, value);
        } else if (value === XML_NAMESPACE) {
          this.fail(`the 'xml' namespace URI is used for not 'xml' prefix at ${here}`, attrStart);
        }
        continue;
      }
      raw.push({
        name: q.local,
        qualifiedName: q.name,
        prefix: q.prefix,
        namespaced: q.prefix !== undefined,
        value,
        span: { start: attrStart, end: this.pos },
        nameSpan: attrNameSpan,
        valueSpan,
      });
    }
    if (selfClosing === undefined) return false;
    // Attributes are resolved before the element's own name, as roxmltree does.
    const seen = new Set<string>();
    for (const a of raw) {
      if (a.prefix !== undefined && !namespaces.has(a.prefix)) this.fail(`an unknown namespace prefix '${a.prefix}' at ${this.at(a.span.start)}`, a.span.start);
      const key = a.prefix === undefined ? a.name : `${namespaces.get(a.prefix)}\u0000${a.name}`;
      if (seen.has(key)) this.fail(`attribute '${a.name}' at ${this.at(a.span.start)} is already defined`, a.span.start);
      seen.add(key);
    }
    if (prefix !== undefined && !namespaces.has(prefix)) this.fail(`an unknown namespace prefix '${prefix}' at ${this.at(nameStart)}`, nameStart);
    const element: Element = { kind: 'element', tag: local, attributes: raw, children: [], span: { start, end: this.pos }, nameSpan };
    if (this.stack.length > 0) this.stack[this.stack.length - 1]!.element.children.push(element);
    else this.root = element;
    if (!selfClosing) {
      if (this.stack.length >= MAX_XML_DEPTH) this.fail(`elements are nested deeper than ${MAX_XML_DEPTH} levels at ${this.at(start)}`, start);
      this.stack.push({ element, name, namespaces });
    }
    return true;
  }
}

function normaliseNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}
