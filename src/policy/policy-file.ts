import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { suggest } from '../parser/sdf/suggest.js';
import type { Rights } from './flows.js';
import type { PolicySubject } from './subject.js';
import { jsonPointerParts } from '../util/json-pointer.js';

/**
 * A policy file (schemas/policy.schema.json), YAML or JSON: read, checked against the schema
 * and against the names of the system it is for. Every rule keeps where it is in the file, so a
 * violation points at the rule it breaks.
 */

/** The libraries a policy is read with: the YAML library and the compiled schema (src/cli/ provides them). */
export interface PolicyLibraries {
  yaml: typeof import('yaml');
  validate: ValidateFunction;
}

export interface Located<T> {
  value: T;
  span: Span;
}

export type PolicyRule =
  | { kind: 'isolate'; groups: Located<string[]>[]; span: Span }
  | { kind: 'no_flow'; from: string; to: string; span: Span }
  | { kind: 'flow_only_via'; from: string; to: string; via: string[]; span: Span }
  | { kind: 'regions'; region: string; allowed: Map<string, Located<Rights>>; span: Span }
  | { kind: 'irqs'; irq: number; pd: string; span: Span }
  | { kind: 'limits'; pd: string; maxPriority: Located<number> | undefined; maxBudget: Located<number> | undefined; passive: Located<boolean> | undefined; span: Span };

export interface Policy {
  file: SourceFile;
  rules: PolicyRule[];
}

type Names = Pick<PolicySubject, 'pds' | 'regions' | 'irqNumbers'>;

const spanOf = (node: YamlNode | null | undefined): Span => {
  const r = node?.range;
  return r ? { start: r[0], end: Math.max(r[1], r[0] + 1) } : { start: 0, end: 1 };
};

/** A key's span through its value's end. */
const pairSpan = (p: Pair): Span => {
  const k = spanOf(p.key as YamlNode);
  const v = spanOf(p.value as YamlNode);
  return { start: k.start, end: Math.max(k.end, v.end) };
};

/**
 * Read a policy for a system with these names. The policy is undefined when the file has any
 * error: a policy that names what the system does not have proves nothing.
 */
export function readPolicy(file: SourceFile, system: Names, libs: PolicyLibraries): { policy: Policy | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, message: string, span: Span, hint?: string) => {
    const d: Diagnostic = { severity: 'error', code, message, file, span, notes: [] };
    if (hint !== undefined) d.hint = hint;
    diagnostics.push(d);
  };
  const json = /\.json$/i.test(file.name);
  if (json) {
    try {
      JSON.parse(file.text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const offset = Number(/position (\d+)/.exec(message)?.[1] ?? file.text.length);
      report('policy_syntax', `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`, { start: offset, end: Math.min(file.text.length, offset + 1) });
      return { policy: undefined, diagnostics };
    }
  }
  const { yaml } = libs;
  const doc = yaml.parseDocument(file.text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) report('policy_syntax', `not valid ${json ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`, { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) });
    return { policy: undefined, diagnostics };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    report('policy_syntax', `not valid YAML: ${(e as Error).message}`, { start: 0, end: 1 });
    return { policy: undefined, diagnostics };
  }
  if (value === null || value === undefined) value = {};
  if (!libs.validate(value)) {
    for (const e of schemaErrors(libs.validate.errors ?? [], doc, yaml)) report('policy_schema_violation', e.message, e.span, e.hint);
    return { policy: undefined, diagnostics };
  }
  const rules = new RuleReader(doc, yaml, system, report).rules();
  return { policy: diagnostics.length === 0 ? { file, rules } : undefined, diagnostics };
}

/** Follow a JSON pointer through the YAML nodes, as far as it goes. */
function nodeAt(doc: Document, yaml: typeof import('yaml'), pointer: string): YamlNode | undefined {
  let node = doc.contents as YamlNode | null;
  const parts = jsonPointerParts(pointer);
  for (const part of parts) {
    if (yaml.isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === part);
      if (!pair) break;
      node = pair.value as YamlNode | null;
    } else if (yaml.isSeq(node)) {
      node = (node.items[Number(part)] as YamlNode | undefined) ?? node;
    } else break;
  }
  return node ?? undefined;
}

/** `/no_flow/0/to` → `no_flow[0].to`. */
const pointerToPath = (pointer: string): string =>
  pointer
    .slice(1)
    .split('/')
    .map((p, i) => (/^[0-9]+$/.test(p) && i > 0 ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');

function schemaErrors(errors: ErrorObject[], doc: Document, yaml: typeof import('yaml')): { message: string; span: Span; hint?: string }[] {
  const out: { message: string; span: Span; hint?: string }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // propertyNames reports the name, then again the object it is in: the first says it all.
    if (e.keyword === 'propertyNames') continue;
    const where = e.instancePath === '' ? 'the top level' : `'${pointerToPath(e.instancePath)}'`;
    let message: string;
    let span = spanOf(nodeAt(doc, yaml, e.instancePath));
    let hint: string | undefined;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const guess = suggest(key, known);
      message = `unknown key '${key}' in ${where}`;
      const map = nodeAt(doc, yaml, e.instancePath);
      const pair = yaml.isMap(map) ? map.items.find((p) => String((p.key as { value?: unknown }).value) === key) : undefined;
      if (pair) span = spanOf(pair.key as YamlNode);
      hint = guess ? `did you mean '${guess}'?` : known.length > 0 ? `known keys: ${known.join(', ')}` : undefined;
    } else if (e.keyword === 'required') {
      message = `missing required key '${(e.params as { missingProperty: string }).missingProperty}' in ${where}`;
    } else if (e.keyword === 'pattern') {
      message = `${where} must be rights as a map's perms give them (r, rw, rx, rwx…)`;
    } else {
      message = `${where} ${e.message ?? 'is invalid'}`;
    }
    if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      message = `'${e.propertyName}' in 'irqs' is not an IRQ number`;
      const map = nodeAt(doc, yaml, e.instancePath);
      const pair = yaml.isMap(map) ? map.items.find((p) => String((p.key as { value?: unknown }).value) === e.propertyName) : undefined;
      if (pair) span = spanOf(pair.key as YamlNode);
    }
    if (seen.has(message)) continue;
    seen.add(message);
    const item: { message: string; span: Span; hint?: string } = { message, span };
    if (hint !== undefined) item.hint = hint;
    out.push(item);
  }
  return out;
}

const parseRights = (s: string): Rights => ({ read: s.includes('r'), write: s.includes('w'), execute: s.includes('x') });

/** Turns the (schema-valid) document into rules, reporting names the system does not have. */
class RuleReader {
  constructor(
    private readonly doc: Document,
    private readonly yaml: typeof import('yaml'),
    private readonly system: Names,
    private readonly report: (code: DiagnosticCode, message: string, span: Span, hint?: string) => void,
  ) {}

  private pairs(node: unknown): Pair[] {
    return this.yaml.isMap(node) ? node.items : [];
  }

  private items(node: unknown): YamlNode[] {
    return this.yaml.isSeq(node) ? (node.items as YamlNode[]) : [];
  }

  private get(node: unknown, key: string): Pair | undefined {
    return this.pairs(node).find((p) => String((p.key as { value?: unknown }).value) === key);
  }

  private text(node: unknown): string {
    return String((node as { value?: unknown }).value);
  }

  /** A PD name; false (and an error) when the system has no such PD. */
  private pd(node: unknown, allowStar = false): string | false {
    const name = this.text(node);
    if (this.system.pds.includes(name) || (allowStar && name === '*')) return name;
    const guess = suggest(name, this.system.pds);
    this.report('policy_pd_unknown', `the system has no protection domain '${name}'`, spanOf(node as YamlNode), guess ? `did you mean '${guess}'?` : `its protection domains: ${this.system.pds.join(', ')}`);
    return false;
  }

  rules(): PolicyRule[] {
    const root = this.doc.contents;
    const out: PolicyRule[] = [];
    for (const top of this.pairs(root)) {
      const key = this.text(top.key);
      const value = top.value;
      if (key === 'isolate') {
        const groups = this.items(value).map((g) => ({ value: this.items(g).map((n) => this.pd(n)), span: spanOf(g) }));
        // A PD in two groups would have to be isolated from itself: the rule cannot mean anything.
        const groupOf = new Map<string, number>();
        let overlap = false;
        this.items(value).forEach((g, i) => {
          for (const n of this.items(g)) {
            const name = this.text(n);
            const first = groupOf.get(name);
            if (first !== undefined && first !== i) {
              this.report('policy_isolate_overlap', `'${name}' is in group ${first + 1} and group ${i + 1} of this isolate rule`, spanOf(n), 'a PD can be in only one group: the groups are isolated from each other');
              overlap = true;
            } else if (first === undefined) groupOf.set(name, i);
          }
        });
        if (!overlap && groups.every((g) => g.value.every((n) => n !== false))) out.push({ kind: 'isolate', groups: groups as Located<string[]>[], span: spanOf(top.key as YamlNode) });
      }
      if (key === 'no_flow' || key === 'flow_only_via') {
        for (const item of this.items(value)) {
          const from = this.pd(this.get(item, 'from')!.value);
          const to = this.pd(this.get(item, 'to')!.value);
          const via = this.items(this.get(item, 'via')?.value).map((n) => this.pd(n));
          if (from === false || to === false || via.includes(false)) continue;
          if (key === 'no_flow') out.push({ kind: 'no_flow', from, to, span: spanOf(item) });
          else out.push({ kind: 'flow_only_via', from, to, via: via as string[], span: spanOf(item) });
        }
      }
      if (key === 'regions') {
        for (const p of this.pairs(value)) {
          const region = this.text(p.key);
          const regionSpan = spanOf(p.key as YamlNode);
          let ok = true;
          if (!this.system.regions.includes(region)) {
            const guess = suggest(region, this.system.regions);
            this.report('policy_region_unknown', `the system has no memory region '${region}'`, regionSpan, guess ? `did you mean '${guess}'?` : `its memory regions: ${this.system.regions.join(', ') || '(none)'}`);
            ok = false;
          }
          const allowed = new Map<string, Located<Rights>>();
          for (const q of this.pairs(p.value)) {
            const pd = this.pd(q.key);
            if (pd === false) ok = false;
            else allowed.set(pd, { value: parseRights(this.text(q.value)), span: pairSpan(q) });
          }
          if (ok) out.push({ kind: 'regions', region, allowed, span: regionSpan });
        }
      }
      if (key === 'irqs') {
        for (const p of this.pairs(value)) {
          const irq = Number(this.text(p.key));
          const span = spanOf(p.key as YamlNode);
          const pd = this.pd(p.value);
          if (!this.system.irqNumbers.includes(irq)) {
            const known = this.system.irqNumbers.map(String);
            const guess = suggest(String(irq), known);
            this.report('policy_irq_unknown', `no protection domain of the system receives IRQ ${irq}`, span, guess ? `did you mean ${guess}?` : known.length > 0 ? `its IRQs: ${known.join(', ')}` : 'the system has no IRQs');
            continue;
          }
          if (pd !== false) out.push({ kind: 'irqs', irq, pd, span: pairSpan(p) });
        }
      }
      if (key === 'limits') {
        for (const p of this.pairs(value)) {
          const pd = this.pd(p.key, true);
          if (pd === false) continue;
          const field = <T>(name: string): Located<T> | undefined => {
            const f = this.get(p.value, name);
            return f ? { value: (f.value as { value: T }).value, span: pairSpan(f) } : undefined;
          };
          out.push({ kind: 'limits', pd, maxPriority: field<number>('max_priority'), maxBudget: field<number>('max_budget'), passive: field<boolean>('passive'), span: spanOf(p.key as YamlNode) });
        }
      }
    }
    return out;
  }
}
