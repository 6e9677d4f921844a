import type { Node as YamlNode, Pair, Scalar, YAMLMap } from 'yaml';
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
  return systemElement(doc.contents as YAMLMap | null, text);
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

function scalarText(node: Scalar, text: string): string {
  if (typeof node.value === 'boolean') return node.value ? 'true' : 'false';
  if (node.type === 'PLAIN' && node.range) return text.slice(node.range[0], node.range[1]).trim();
  return String(node.value);
}

function element(tag: string, node: YamlNode, nameSpan: Span): Element {
  return { kind: 'element', tag, attributes: [], children: [], span: range(node, 0), nameSpan };
}

function addAttribute(el: Element, pair: Pair, text: string): void {
  const key = pair.key as Scalar;
  const value = pair.value as Scalar;
  const keySpan = range(key, el.span.start);
  const valueSpan = range(value, keySpan.end);
  const attr: Attribute = {
    name: String(key.value),
    value: scalarText(value, text),
    namespaced: false,
    span: { start: keySpan.start, end: valueSpan.end },
    nameSpan: keySpan,
    valueSpan,
  };
  el.attributes.push(attr);
}

/** Convert a mapping: scalar keys become attributes, structured keys become children. */
function mappingElement(tag: string, map: YAMLMap, nameSpan: Span, text: string): Element {
  const el = element(tag, map, nameSpan);
  for (const pair of map.items) {
    const key = String((pair.key as Scalar).value);
    const keySpan = range(pair.key as YamlNode, el.span.start);
    const value = pair.value as YamlNode | null;
    if (isScalar(value)) {
      if (key === 'program_image') {
        const image = element('program_image', value, keySpan);
        addAttribute(image, { ...pair, key: { ...(pair.key as Scalar), value: 'path' } } as Pair, text);
        el.children.push(image);
      } else {
        addAttribute(el, pair, text);
      }
    } else if (isSeq(value)) {
      if (key === 'cspace') {
        const cspace = element('cspace', value, keySpan);
        for (const item of value.items) {
          if (!isMap(item)) continue;
          const type = item.get('type');
          const cap = mappingElement(`cap_${String(type)}`, item, range(item, 0), text);
          cap.attributes = cap.attributes.filter((a) => a.name !== 'type');
          cspace.children.push(cap);
        }
        el.children.push(cspace);
        continue;
      }
      const childTag = LIST_KEYS[key] ?? key;
      for (const item of value.items) {
        if (isMap(item)) el.children.push(mappingElement(childTag, item, firstCharSpan(item), text));
      }
    } else if (isMap(value)) {
      if (key === 'schedule') el.children.push(scheduleElement(value, keySpan, text));
      else el.children.push(mappingElement(key, value, keySpan, text));
    }
  }
  return el;
}

function firstCharSpan(node: YamlNode): Span {
  const s = range(node, 0).start;
  return { start: s, end: s + 1 };
}

function scheduleElement(map: YAMLMap, nameSpan: Span, text: string): Element {
  const el = element('domain_schedule', map, nameSpan);
  for (const pair of map.items) {
    const key = String((pair.key as Scalar).value);
    const value = pair.value as YamlNode | null;
    if (isScalar(value)) addAttribute(el, pair, text);
    else if (key === 'entries' && isSeq(value)) {
      for (const item of value.items) {
        if (isMap(item)) el.children.push(mappingElement('schedule_entry', item, firstCharSpan(item), text));
        else if (isScalar(item)) el.children.push(element('schedule_end_marker', item, firstCharSpan(item)));
      }
    }
  }
  return el;
}

function systemElement(root: YAMLMap | null, text: string): Element {
  const nameSpan = { start: 0, end: Math.min(1, text.length) };
  if (!root) return { kind: 'element', tag: 'system', attributes: [], children: [], span: { start: 0, end: text.length }, nameSpan };
  const system = mappingElement('system', root, nameSpan, text);
  system.span = { start: 0, end: text.length };
  // <domains> must precede the PDs that use it; in YAML/JSON it always does.
  const isDomains = (c: Element['children'][number]): boolean => c.kind === 'element' && c.tag === 'domains';
  system.children = [...system.children.filter(isDomains), ...system.children.filter((c) => !isDomains(c))];
  return system;
}
