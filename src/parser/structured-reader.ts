import type { Document, Node as YamlNode, Pair, Scalar, YAMLMap } from 'yaml';
import type { Span } from '../diagnostics/source-file.js';
import type { Attribute, Element } from './element.js';
import type { SdfContext } from './sdf/context.js';
import { checkSchema } from './schema-check.js';
import { isMap, isScalar, isSeq, yamlLib } from './yaml-lib.js';

/**
 * The YAML and JSON forms of a system description (`schemas/system.schema.json`). The text is
 * parsed with positions, checked against the schema, then turned into the same element tree
 * the XML reader produces, so every SDF rule applies unchanged and points into this file.
 */

export type StructuredFormat = 'yaml' | 'json';

/** Keys holding lists of child elements, and the SDF element each item becomes. */
const LIST_KEYS: Record<string, string> = {
  protection_domains: 'protection_domain',
  memory_regions: 'memory_region',
  io_address_spaces: 'io_address_space',
  channels: 'channel',
  maps: 'map',
  irqs: 'irq',
  ioports: 'ioport',
  setvars: 'setvar',
  vcpus: 'vcpu',
  iomaps: 'iomap',
  ends: 'end',
  domains: 'domain',
};

export function readStructured(ctx: SdfContext, format: StructuredFormat): Element | undefined {
  const text = ctx.file.text;
  if (format === 'json') {
    const err = jsonSyntaxError(text);
    if (err) {
      ctx.report('json_syntax', `not valid JSON: ${err.message}`, { span: { start: err.offset, end: Math.min(text.length, err.offset + 1) } });
      return undefined;
    }
  }
  const doc = yamlLib().parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      ctx.report(format === 'json' ? 'json_syntax' : 'yaml_syntax', `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`, {
        span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
      });
    }
    return undefined;
  }
  if (!checkSchema(ctx, doc)) return undefined;
  return new Converter(doc, text).system();
}

function jsonSyntaxError(text: string): { message: string; offset: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) : text.length;
    return { message: message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, ''), offset };
  }
}

function range(node: YamlNode | null | undefined, fallback: number): Span {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : { start: fallback, end: fallback };
}

function firstCharSpan(node: YamlNode): Span {
  const s = range(node, 0).start;
  return { start: s, end: s + 1 };
}

function element(tag: string, node: YamlNode, nameSpan: Span): Element {
  return { kind: 'element', tag, attributes: [], children: [], span: range(node, 0), nameSpan };
}

/** Turns a schema-valid document into the element tree. */
class Converter {
  constructor(
    private readonly doc: Document,
    private readonly text: string,
  ) {}

  system(): Element {
    const root = this.resolve(this.doc.contents as YamlNode | null);
    const nameSpan = { start: 0, end: Math.min(1, this.text.length) };
    const whole = { start: 0, end: this.text.length };
    if (!isMap(root)) return { kind: 'element', tag: 'system', attributes: [], children: [], span: whole, nameSpan };
    const system = this.mapping('system', root, nameSpan);
    system.span = whole;
    // <domains> must precede the PDs that use it; in YAML/JSON it always does.
    const isDomains = (c: Element['children'][number]): boolean => c.kind === 'element' && c.tag === 'domains';
    system.children = [...system.children.filter(isDomains), ...system.children.filter((c) => !isDomains(c))];
    return system;
  }

  /** An alias (`*name`) stands for its anchored node; the schema check has resolved them all. */
  private resolve(node: YamlNode | null | undefined): YamlNode | null {
    if (node && yamlLib().isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null;
    return node ?? null;
  }

  private scalarText(node: Scalar): string {
    if (typeof node.value === 'boolean') return node.value ? 'true' : 'false';
    if (node.type === 'PLAIN' && node.range) return this.text.slice(node.range[0], node.range[1]).trim();
    return String(node.value);
  }

  private attribute(el: Element, name: string, keyNode: YamlNode, value: Scalar): void {
    const keySpan = range(keyNode, el.span.start);
    const valueSpan = range(value, keySpan.end);
    const attr: Attribute = {
      name,
      value: this.scalarText(value),
      namespaced: false,
      span: { start: keySpan.start, end: valueSpan.end },
      nameSpan: keySpan,
      valueSpan,
    };
    el.attributes.push(attr);
  }

  /** A mapping: scalar keys become attributes, structured keys become children. */
  private mapping(tag: string, map: YAMLMap, nameSpan: Span): Element {
    const el = element(tag, map, nameSpan);
    for (const pair of map.items as Pair<YamlNode, YamlNode>[]) {
      const key = String((pair.key as Scalar).value);
      const keySpan = range(pair.key, el.span.start);
      const value = this.resolve(pair.value);
      if (isScalar(value)) {
        if (key === 'program_image') {
          const image = element('program_image', value, keySpan);
          this.attribute(image, 'path', pair.key, value);
          el.children.push(image);
        } else {
          this.attribute(el, key, pair.key, value);
        }
      } else if (isSeq(value)) {
        for (const raw of value.items as YamlNode[]) {
          const item = this.resolve(raw);
          if (key === 'cspace') {
            if (!isMap(item)) continue;
            const cap = this.mapping(`cap_${String(item.get('type'))}`, item, firstCharSpan(item));
            cap.attributes = cap.attributes.filter((a) => a.name !== 'type');
            this.child(el, 'cspace', value, keySpan).children.push(cap);
          } else if (key === 'entries') {
            if (isMap(item)) el.children.push(this.mapping('schedule_entry', item, firstCharSpan(item)));
            else if (item) el.children.push(element('schedule_end_marker', item, firstCharSpan(item)));
          } else if (isMap(item)) {
            el.children.push(this.mapping(LIST_KEYS[key] ?? key, item, firstCharSpan(item)));
          }
        }
      } else if (isMap(value)) {
        el.children.push(this.mapping(key === 'schedule' ? 'domain_schedule' : key, value, keySpan));
      }
    }
    return el;
  }

  /** The child `tag` of `el`, created on first use (for `cspace`, which holds a list). */
  private child(el: Element, tag: string, node: YamlNode, nameSpan: Span): Element {
    const last = el.children[el.children.length - 1];
    if (last?.kind === 'element' && last.tag === tag && last.nameSpan.start === nameSpan.start) return last;
    const created = element(tag, node, nameSpan);
    el.children.push(created);
    return created;
  }
}
