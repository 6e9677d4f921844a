import type { Span } from '../diagnostics/source-file.js';

/**
 * The format-neutral element tree every reader (XML, YAML, JSON) produces. Its shape is the
 * SDF's XML shape: elements with attributes and child elements, each with source spans, so one
 * set of element readers (`sdf/`) serves every input format.
 */

export interface Attribute {
  /** Local name (an XML namespace prefix is dropped, as the reference tool does). */
  name: string;
  /** Decoded value. */
  value: string;
  /**
   * True for a prefixed XML attribute (`p:name`). The reference tool lets such an attribute
   * pass the allowed-attribute check (by local name) but never reads its value.
   */
  namespaced: boolean;
  span: Span;
  nameSpan: Span;
  valueSpan: Span;
}

export interface Element {
  kind: 'element';
  /** Local name. */
  tag: string;
  attributes: Attribute[];
  children: Node[];
  /** The whole element; `span.start` is the reference tool's reported position (the `<`). */
  span: Span;
  /** The tag name in the start tag (or the key in YAML/JSON). */
  nameSpan: Span;
}

export interface Text {
  kind: 'text';
  text: string;
  span: Span;
}

export type Node = Element | Text;

/** The value of an un-prefixed attribute, as the reference tool reads it. */
export function attr(el: Element, name: string): Attribute | undefined {
  for (const a of el.attributes) if (a.name === name && !a.namespaced) return a;
  return undefined;
}

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (const c of el.children) if (c.kind === 'element') out.push(c);
  return out;
}
