import { BOARDS, boardKernelConfig, type Board } from '../abi/boards.js';
import { ARCH_DISPLAY_NAME, type KernelConfig } from '../abi/kernel-config.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { hex } from '../parser/numbers.js';

/**
 * Hints for errors that depend on the kernel configuration: when another board or
 * configuration of `sel4ts boards` (or, for `--kernel-config FILE`, another value of one field)
 * accepts what this one rejects, the hint names that change first.
 *
 * Nothing here is written per rule: the description is checked again under each candidate
 * configuration, and a candidate accepts an error when that error is gone and no other
 * configuration-dependent error has appeared (so a configuration that hides the error by
 * rejecting the element around it does not count, nor one that trades it for another).
 */

/** Where the kernel configuration of a check came from. */
export type ConfigSource = { kind: 'board'; board: string; config: string } | { kind: 'file' };

/** Checks the same text again under another configuration and returns its diagnostics. */
export type Recheck = (config: KernelConfig) => readonly Diagnostic[];

/** The codes whose verdict reads the kernel configuration (`ctx.config`). */
const CONFIG_DEPENDENT_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'cpu_out_of_range',
  'pd_smc_unavailable',
  'ioport_not_x86',
  'irq_form_unsupported',
  'vm_without_hypervisor',
  'vm_multiple_vcpus_x86',
  'vm_pd_with_children_x86',
  'channel_ppc_to_vm_x86',
  'setvar_region_without_paddr_x86',
  'io_address_space_without_iommu',
  'io_address_space_peripheral_invalid',
  'domains_multicore',
  'domains_too_many',
  'domain_id_out_of_range',
  'domain_schedule_too_long',
  'domain_schedule_index_shift_out_of_range',
  'map_vaddr_out_of_range',
  'map_range_exceeds_limit',
]);

type Field = keyof KernelConfig;
const FIELDS: readonly Field[] = ['arch', 'numCores', 'hypervisor', 'iommu', 'armSmc', 'numDomains', 'numDomainSchedules', 'vspaceUserTop'];

/** The `--kernel-config` JSON name of each field (README). */
const JSON_NAME: Record<Field, string> = {
  arch: 'arch',
  numCores: 'num_cores',
  hypervisor: 'hypervisor',
  iommu: 'iommu',
  armSmc: 'arm_smc',
  numDomains: 'num_domains',
  numDomainSchedules: 'num_domain_schedules',
  vspaceUserTop: 'vspace_user_top',
};

/** How many boards a hint names. */
const NAMED_BOARDS = 2;

export function addConfigHints(diagnostics: Diagnostic[], current: KernelConfig, source: ConfigSource, recheck: Recheck): void {
  const targets = diagnostics.filter((d) => d.severity === 'error' && d.span !== undefined && CONFIG_DEPENDENT_CODES.has(d.code));
  if (targets.length === 0) return;
  const judge = new Judge(diagnostics, current, recheck);
  for (const d of targets) {
    const lead = source.kind === 'board' ? boardLead(judge, d, source) : fieldLead(judge, d);
    if (lead !== undefined) d.hint = d.hint !== undefined ? `${lead}; ${d.hint}` : lead;
  }
}

/** Checks under other configurations (each one once) and says whether they accept an error. */
class Judge {
  private readonly before: Set<string>;
  private readonly runs = new Map<string, Map<string, DiagnosticCode>>();

  constructor(
    diagnostics: readonly Diagnostic[],
    readonly current: KernelConfig,
    private readonly recheck: Recheck,
  ) {
    const before = errorKeys(diagnostics);
    this.before = new Set(before.keys());
    this.runs.set(configKey(current), before);
  }

  accepts(config: KernelConfig, d: Diagnostic): boolean {
    const after = this.errorsUnder(config);
    if (after.has(diagnosticKey(d))) return false;
    for (const [key, code] of after) if (!this.before.has(key) && CONFIG_DEPENDENT_CODES.has(code)) return false;
    return true;
  }

  /** The fields `config` needs to accept `d`: set back to the current value, it no longer does. */
  necessaryFields(config: KernelConfig, d: Diagnostic): Field[] {
    return FIELDS.filter((f) => config[f] !== this.current[f] && !this.accepts(withField(config, f, this.current[f]), d));
  }

  /** The fields of `config` that alone (changed in the current configuration) make it accept `d`. */
  sufficientFields(config: KernelConfig, d: Diagnostic): Field[] {
    return FIELDS.filter((f) => config[f] !== this.current[f] && this.accepts(withField(this.current, f, config[f]), d));
  }

  private errorsUnder(config: KernelConfig): Map<string, DiagnosticCode> {
    const key = configKey(config);
    let errors = this.runs.get(key);
    if (!errors) {
      errors = errorKeys(this.recheck(config));
      this.runs.set(key, errors);
    }
    return errors;
  }
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}@${d.span?.start ?? -1}`;
}

function errorKeys(diagnostics: readonly Diagnostic[]): Map<string, DiagnosticCode> {
  const m = new Map<string, DiagnosticCode>();
  for (const d of diagnostics) if (d.severity === 'error') m.set(diagnosticKey(d), d.code);
  return m;
}

function configKey(c: KernelConfig): string {
  return FIELDS.map((f) => String(c[f])).join('/');
}

function withField<F extends Field>(c: KernelConfig, f: F, value: KernelConfig[F]): KernelConfig {
  const copy = { ...c };
  copy[f] = value;
  return copy;
}

interface Candidate {
  board: Board;
  config: string;
  kernel: KernelConfig;
  /** 0: the same board, 1: a board of the same architecture, 2: any other board. */
  tier: number;
}

/**
 * The other board configurations, nearest first: the same board with another configuration,
 * then boards of the same architecture (the most similar name first), then the rest; within
 * a board, the user's own configuration before its `smp-` twin (or plain one).
 */
function boardCandidates(source: { board: string; config: string }, current: KernelConfig): Candidate[] {
  const base = source.config.replace(/^smp-/, '');
  const configs = source.config.startsWith('smp-') ? [source.config, base] : [base, `smp-${base}`];
  const out: (Candidate & { order: number; likeness: number })[] = [];
  BOARDS.forEach((board, index) => {
    configs.forEach((config, which) => {
      if (board.name === source.board && config === source.config) return;
      const kernel = boardKernelConfig(board, config);
      if (!kernel) return;
      const tier = board.name === source.board ? 0 : board.config.arch === current.arch ? 1 : 2;
      out.push({ board, config, kernel, tier, order: index * 2 + which, likeness: commonPrefix(board.name, source.board) });
    });
  });
  return out.sort((a, b) => a.tier - b.tier || b.likeness - a.likeness || a.order - b.order);
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * "use `--config smp-debug` (4 cores)", or the two nearest boards. Candidates are tried nearest
 * first and only until the hint is complete: each try checks the whole file again.
 */
function boardLead(judge: Judge, d: Diagnostic, source: { board: string; config: string }): string | undefined {
  const named: Candidate[] = [];
  let more = false;
  for (const c of boardCandidates(source, judge.current)) {
    // One configuration per board: the nearest.
    if (named.some((n) => n.board === c.board) || !judge.accepts(c.kernel, d)) continue;
    if (named.length === NAMED_BOARDS) {
      more = true;
      break;
    }
    named.push(c);
    // The same board with another configuration is the answer; other boards would be noise.
    if (c.tier === 0) break;
  }
  if (named.length === 0) return undefined;
  const entries = named.map((c) => {
    const flags = [c.board.name !== source.board ? `--board ${c.board.name}` : '', c.config !== source.config ? `--config ${c.config}` : ''].filter((s) => s !== '').join(' ');
    return { text: `\`${flags}\``, why: why(judge, d, c.kernel) };
  });
  return `use ${groupByReason(entries)}${more ? ', or another board of `sel4ts boards`' : ''}`;
}

/** "`a` or `b` (x86-64)": entries with the same reason share it. */
function groupByReason(entries: { text: string; why: string }[]): string {
  const groups: { texts: string[]; why: string }[] = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    if (last && last.why === e.why) last.texts.push(e.text);
    else groups.push({ texts: [e.text], why: e.why });
  }
  return groups.map((g) => `${g.texts.join(' or ')} (${g.why})`).join(' or ');
}

/**
 * What about `candidate` makes it accept `d`, in a few words: another architecture, else the
 * fields it cannot do without, else (when several would each do) those enough on their own.
 */
function why(judge: Judge, d: Diagnostic, candidate: KernelConfig): string {
  if (candidate.arch !== judge.current.arch) return describe('arch', candidate);
  let decisive = judge.necessaryFields(candidate, d);
  if (decisive.length === 0) decisive = judge.sufficientFields(candidate, d);
  if (decisive.length === 0) decisive = FIELDS.filter((f) => candidate[f] !== judge.current[f]);
  return decisive.map((f) => describe(f, candidate)).join(', ');
}

function describe(f: Field, c: KernelConfig): string {
  switch (f) {
    case 'arch':
      return ARCH_DISPLAY_NAME[c.arch];
    case 'numCores':
      return c.numCores === 1 ? '1 core' : `${c.numCores} cores`;
    case 'hypervisor':
      return c.hypervisor ? 'hypervisor' : 'no hypervisor';
    case 'iommu':
      return c.iommu ? 'IOMMU' : 'no IOMMU';
    case 'armSmc':
      return c.armSmc === true ? 'SMC forwarding' : 'no SMC forwarding';
    case 'numDomains':
      return `${c.numDomains} domain${c.numDomains === 1 ? '' : 's'}`;
    case 'numDomainSchedules':
      return `${c.numDomainSchedules} domain schedule entries`;
    case 'vspaceUserTop':
      return `user addresses up to ${hex(c.vspaceUserTop)}`;
  }
}

/**
 * With `--kernel-config FILE` there is no board to name: the first field (in README order)
 * that, changed alone to a value some board has, makes the configuration accept `d`, with the
 * smallest such value.
 */
function fieldLead(judge: Judge, d: Diagnostic): string | undefined {
  for (const f of FIELDS) {
    const value = tableValues(f).find((v) => v !== judge.current[f] && judge.accepts(withField(judge.current, f, v), d));
    if (value !== undefined) return `set \`${JSON_NAME[f]}\` to ${jsonValue(value)} in the kernel configuration`;
  }
  return undefined;
}

/** Every value a field has in the board table, in ascending order (architectures in table order). */
function tableValues<F extends Field>(f: F): KernelConfig[F][] {
  const seen: KernelConfig[F][] = [];
  for (const board of BOARDS) {
    for (const config of ['debug', 'smp-debug']) {
      const v = boardKernelConfig(board, config)?.[f];
      if (v !== undefined && !seen.includes(v)) seen.push(v);
    }
  }
  const numeric = seen.every((v) => typeof v === 'number' || typeof v === 'bigint');
  return numeric ? seen.sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0)) : seen;
}

function jsonValue(v: KernelConfig[Field]): string {
  if (typeof v === 'bigint') return `"${hex(v)}"`;
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}
