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

/** The flows leaving each PD, in the subject's order. */
class FlowGraph {
  readonly out = new Map<string, LocatedFlow[]>();
  readonly pairs: number;
  constructor(subject: PolicySubject) {
    const pairs = new Set<string>();
    for (const f of subject.flows) {
      const list = this.out.get(f.from);
      if (list) list.push(f);
      else this.out.set(f.from, [f]);
      pairs.add(`${f.from}\u0000${f.to}`);
    }
    this.pairs = pairs.size;
  }

  /**
   * Breadth-first from `sources` (never entering `blocked`): the PDs reached, nearest first, and
   * for each the flow it was first reached by.
   */
  reach(sources: string[], blocked: ReadonlySet<string> = new Set()): { order: string[]; by: Map<string, LocatedFlow> } {
    const by = new Map<string, LocatedFlow>();
    const seen = new Set(sources);
    const order = [...sources];
    for (let i = 0; i < order.length; i++) {
      for (const f of this.out.get(order[i]!) ?? []) {
        if (seen.has(f.to) || blocked.has(f.to)) continue;
        seen.add(f.to);
        by.set(f.to, f);
        order.push(f.to);
      }
    }
    return { order, by };
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
        const { by } = graph.reach([rule.from]);
        if (by.has(rule.to)) flowViolation('policy_no_flow_violated', rule, rule.span, `information flows from '${rule.from}' to '${rule.to}', which no_flow forbids`, pathTo(rule.to, by));
        break;
      }
      case 'flow_only_via': {
        const via = new Set(rule.via);
        if (via.has(rule.from) || via.has(rule.to)) break;
        const { by } = graph.reach([rule.from], via);
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
