import type { Element, Node } from './element.js';
import type { XmlElement } from './xml-reader.js';

/** The XML tree as the format-neutral element tree (local names; prefixed attributes flagged). */
export function elementFromXml(x: XmlElement): Element {
  const children: Node[] = [];
  for (const c of x.children) children.push(c.kind === 'element' ? elementFromXml(c) : c);
  return {
    kind: 'element',
    tag: x.localName,
    attributes: x.attributes.map((a) => ({
      name: a.localName,
      value: a.value,
      namespaced: a.prefix !== undefined,
      span: a.span,
      nameSpan: a.nameSpan,
      valueSpan: a.valueSpan,
    })),
    children,
    span: x.span,
    nameSpan: x.nameSpan,
  };
}
