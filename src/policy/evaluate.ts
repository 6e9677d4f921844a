import type { PolicyReport } from '../compiler/report/report.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, Note } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { plural } from '../util/plural.js';
import { type FlowKind, type LocatedFlow, type Rights, rightsText } from './flows.js';
import type { Policy, PolicyRule } from './policy-file.js';
import type { PolicySubject } from './subject.js';

/**
 * Checks a policy's rules against a subject (the description's flows for `check`, the Spec's for
 * `build`). A flow rule that fails is reported with a shortest offending path, found
 * breadth-first over the flows, hop by hop, each hop located in the system description.
 */

/** One step of an offending path, for marking it in a graph: a flow, a region mapped by a PD, or an IRQ delivered to one. */
export interface PolicyHop {
  from: string;
  to: string;
  kind: FlowKind | 'map' | 'irq';
}

export interface PolicyViolation {
  code: DiagnosticCode;
  rule: PolicyRule;
  /** The offending path (flow rules), or the one offending map or IRQ; empty for a limit. */
  hops: PolicyHop[];
}

export interface PolicyVerdict {
  policy: Policy;
  diagnostics: Diagnostic[];
  violations: PolicyViolation[];
  /** How many rules were checked, over how many PDs and distinct (from, to) flows. */
  rules: number;
  pds: number;
  flows: number;
}

/** The offending paths of every violation, for `sel4ts graph --policy` to mark. */
export function offendingPaths(verdict: PolicyVerdict): { code: DiagnosticCode; hops: PolicyHop[] }[] {
  return verdict.violations.map((v) => ({ code: v.code, hops: v.hops.map((h) => ({ ...h })) }));
}

/** "4 rules hold over 12 PDs, 31 flows" — what a policy that holds proved. */
export function verdictSummary(v: PolicyVerdict): string {
  const rules = plural(v.rules, 'rule');
  return `${rules} ${v.rules === 1 ? 'holds' : 'hold'} over ${plural(v.pds, 'PD')}, ${plural(v.flows, 'flow')}`;
}

/** A policy's line in the build report (its file name without directories, like the report's system). */
export function policyReport(v: PolicyVerdict): PolicyReport {
  return { file: v.policy.file.name.split(/[\\/]/).pop()!, rules: v.rules, pds: v.pds, flows: v.flows, summary: verdictSummary(v) };
}

/**
 * The flows as a graph over PD numbers, one edge per (from, to) pair (the first flow that grants
 * it: a path needs one reason per hop), so that a search is a few array operations per edge.
 */
class FlowGraph {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  /** Per PD: its neighbours and the flow to each. */
  private readonly next: number[][] = [];
  private readonly via: LocatedFlow[][] = [];
  readonly pairs: number;
  constructor(subject: PolicySubject) {
    for (const pd of subject.pds) this.node(pd);
    const seen = new Set<number>();
    for (const f of subject.flows) {
      const a = this.node(f.from);
      const b = this.node(f.to);
      const pair = a * 65536 + b;
      if (seen.has(pair)) continue;
      seen.add(pair);
      this.next[a]!.push(b);
      this.via[a]!.push(f);
    }
    this.pairs = seen.size;
  }

  private node(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
      this.next.push([]);
      this.via.push([]);
    }
    return i;
  }

  /**
   * Breadth-first from `sources` (never entering `blocked`), up to `target` when one is given:
   * the PDs reached, nearest first, and for each the flow it was first reached by.
   */
  reach(sources: string[], blocked: readonly string[] = [], target?: string): { order: string[]; by: Map<string, LocatedFlow> } {
    const n = this.names.length;
    const state = new Uint8Array(n); // 1 seen, 2 blocked
    const by = new Map<string, LocatedFlow>();
    for (const b of blocked) {
      const i = this.index.get(b);
      if (i !== undefined) state[i] = 2;
    }
    const queue: number[] = [];
    for (const s of sources) {
      const i = this.index.get(s);
      if (i !== undefined && state[i] === 0) {
        state[i] = 1;
        queue.push(i);
      }
    }
    const goal = target === undefined ? -1 : (this.index.get(target) ?? -1);
    for (let q = 0; q < queue.length && state[goal] !== 1; q++) {
      const from = queue[q]!;
      const next = this.next[from]!;
      for (let k = 0; k < next.length; k++) {
        const to = next[k]!;
        if (state[to] !== 0) continue;
        state[to] = 1;
        by.set(this.names[to]!, this.via[from]![k]!);
        queue.push(to);
        if (to === goal) break;
      }
    }
    return { order: queue.map((i) => this.names[i]!), by };
  }
}

function pathTo(target: string, by: Map<string, LocatedFlow>): LocatedFlow[] {
  const path: LocatedFlow[] = [];
  for (let f = by.get(target); f; f = by.get(f.from)) path.unshift(f);
  return path;
}

const graphs = new WeakMap<PolicySubject, FlowGraph>();

export function checkPolicy(policy: Policy, subject: PolicySubject): PolicyVerdict {
  let graph = graphs.get(subject);
  if (!graph) {
    graph = new FlowGraph(subject);
    graphs.set(subject, graph);
  }
  const sys = subject.file;
  const diagnostics: Diagnostic[] = [];
  const violations: PolicyViolation[] = [];
  const where = (span: Span | undefined) => (span ? `${sys.name}:${sys.locate(span.start).line}` : 'not in the description');
  const pathText = (path: LocatedFlow[]) => `${path[0]!.from}${path.map((f) => ` → ${f.to} (${f.via}, ${where(f.span)})`).join('')}`;
  const pathNotes = (path: LocatedFlow[]): Note[] => path.map((f) => located(`${f.from} → ${f.to}: ${f.via}`, sys, f.span));
  const violated = (code: DiagnosticCode, rule: PolicyRule, span: Span, message: string, notes: Note[], hops: PolicyHop[], hint?: string) => {
    const d: Diagnostic = { severity: 'error', code, message, file: policy.file, span, notes };
    if (hint !== undefined) d.hint = hint;
    diagnostics.push(d);
    violations.push({ code, rule, hops });
  };
  const flowViolation = (code: DiagnosticCode, rule: PolicyRule, span: Span, what: string, path: LocatedFlow[]) =>
    violated(
      code,
      rule,
      span,
      `${what}: ${pathText(path)}`,
      pathNotes(path),
      path.map((f) => ({ from: f.from, to: f.to, kind: f.kind })),
    );

  for (const rule of policy.rules) {
    switch (rule.kind) {
      case 'no_flow': {
        const { by } = graph.reach([rule.from], [], rule.to);
        if (by.has(rule.to)) flowViolation('policy_no_flow_violated', rule, rule.span, `information flows from '${rule.from}' to '${rule.to}', which no_flow forbids`, pathTo(rule.to, by));
        break;
      }
      case 'flow_only_via': {
        if (rule.via.includes(rule.from) || rule.via.includes(rule.to)) break;
        const { by } = graph.reach([rule.from], rule.via, rule.to);
        const names = rule.via.map((v) => `'${v}'`).join(' or ');
        if (by.has(rule.to)) flowViolation('policy_flow_only_via_violated', rule, rule.span, `information flows from '${rule.from}' to '${rule.to}' without passing through ${names}`, pathTo(rule.to, by));
        break;
      }
      case 'isolate': {
        const groupOf = new Map<string, number>();
        rule.groups.forEach((g, i) => {
          for (const pd of g.value) if (!groupOf.has(pd)) groupOf.set(pd, i);
        });
        rule.groups.forEach((g, i) => {
          const { order, by } = graph.reach(g.value);
          const reported = new Set<number>();
          for (const pd of order) {
            const j = groupOf.get(pd);
            if (j === undefined || j === i || reported.has(j) || !by.has(pd)) continue;
            reported.add(j);
            flowViolation('policy_isolate_violated', rule, g.span, `information flows from '${pathTo(pd, by)[0]!.from}' (group ${i + 1}) to '${pd}' (group ${j + 1}), which isolate forbids`, pathTo(pd, by));
          }
        });
        break;
      }
      case 'regions': {
        for (const [pd, m] of subject.mappings.get(rule.region) ?? []) {
          const allowed = rule.allowed.get(pd);
          const notes = m.maps.map((x) => located(`'${pd}' maps '${rule.region}' ${rightsText(x.rights)}`, sys, x.span));
          const hops: PolicyHop[] = [{ from: pd, to: rule.region, kind: 'map' }];
          if (!allowed) {
            const who = [...rule.allowed.keys()].map((p) => `'${p}'`).join(', ');
            violated('policy_region_violated', rule, rule.span, `'${pd}' maps region '${rule.region}' (${rightsText(m.rights)}), and only ${who || 'no PD'} may`, notes, hops, 'remove the map, or allow the PD in the policy');
          } else if (exceeds(m.rights, allowed.value)) {
            violated('policy_region_violated', rule, allowed.span, `'${pd}' maps region '${rule.region}' ${rightsText(m.rights)}, beyond the ${rightsText(allowed.value)} the policy allows`, notes, hops);
          }
        }
        break;
      }
      case 'irqs': {
        for (const got of subject.irqs.get(rule.irq) ?? []) {
          if (got.pd === rule.pd) continue;
          violated(
            'policy_irq_violated',
            rule,
            rule.span,
            `IRQ ${rule.irq} is delivered to '${got.pd}', and only '${rule.pd}' may receive it`,
            [located(`'${got.pd}' receives IRQ ${rule.irq}`, sys, got.span)],
            [{ from: `irq ${rule.irq}`, to: got.pd, kind: 'irq' }],
          );
        }
        break;
      }
      case 'limits': {
        const pds = rule.pd === '*' ? subject.pds : [rule.pd];
        const whose = rule.pd === '*' ? "limits '*'" : `limits '${rule.pd}'`;
        for (const pd of pds) {
          const s = subject.settings.get(pd);
          if (!s) continue;
          const limit = (span: Span, message: string, at: Span, what: string) => violated('policy_limit_violated', rule, span, message, [located(what, sys, at)], []);
          if (rule.maxPriority && s.priority > rule.maxPriority.value) {
            limit(rule.maxPriority.span, `'${pd}' has priority ${s.priority}, above the max_priority ${rule.maxPriority.value} of ${whose}`, s.spans.priority, `'${pd}' has priority ${s.priority}`);
          }
          if (rule.maxBudget && s.budgetUs > rule.maxBudget.value) {
            limit(rule.maxBudget.span, `'${pd}' has a budget of ${s.budgetUs} us, above the max_budget ${rule.maxBudget.value} of ${whose}`, s.spans.budget, `'${pd}' has a budget of ${s.budgetUs} us`);
          }
          if (rule.passive && s.passive !== rule.passive.value) {
            limit(rule.passive.span, `'${pd}' is ${s.passive ? '' : 'not '}passive, and ${whose} says passive: ${rule.passive.value}`, s.spans.passive, `'${pd}' is ${s.passive ? '' : 'not '}passive`);
          }
        }
        break;
      }
    }
  }
  return { policy, diagnostics, violations, rules: policy.rules.length, pds: subject.pds.length, flows: graph.pairs };
}

const exceeds = (have: Rights, allowed: Rights) => (have.read && !allowed.read) || (have.write && !allowed.write) || (have.execute && !allowed.execute);

function located(message: string, file: SourceFile, span: Span | undefined): Note {
  return span ? { message, file, span } : { message: `${message} (not in the description)` };
}
