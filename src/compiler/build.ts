import { boardKernelConfig, findBoard } from '../abi/boards.js';
import { QEMU_VIRT } from '../machine/boards/qemu-virt.js';
import { KERNEL_TIMER_IRQ, QEMU_VIRT_MAX_IRQ } from '../kernel/interrupts.js';
import { kernelReserved } from '../kernel/kernel.js';
import { MICROKIT_DEBUG, MICROKIT_RELEASE } from '../kernel/object-types.js';
import { usToTicks } from '../kernel/state.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, Note, Severity } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { attr } from '../parser/element.js';
import type { Entity, ProtectionDomain, SystemDescription } from '../parser/model.js';
import { hostFiles } from '../util/host-files.js';
import { sha256Hex } from '../util/sha256.js';
import { allocate, type AllocationPlan } from './alloc/allocate.js';
import { authorityFromDescription, authorityFromSpec, compareAuthority } from './authority.js';
import { checkSystemBytes, checkSystemSource, searchPathLookup, type CheckResult } from './check.js';
import { hasLibmicrokitSymbols, patchMonitorSymbols, patchPdSymbols, patchRegionPaddrs, programImageSpan } from './elf/microkit-symbols.js';
import { programConfig } from './elf/program-config.js';
import { loadProgramImage, type ProgramImage } from './elf/program-image.js';
import { packFrameData, writeImage } from './image/image.js';
import { makeReport, type Report } from './report/report.js';
import { buildSpec, ObjectNameClash, STACK_TOP } from './spec/build-spec.js';
import type { Spec } from './spec/types.js';

/**
 * `sel4ts build`: description → checked model → patched programs → Spec → allocation →
 * authority check → boot image and report.
 */

const BUILD_BOARD = 'qemu_virt_aarch64';
const BUILD_CONFIGS = ['debug', 'release'] as const;
export type BuildConfig = (typeof BUILD_CONFIGS)[number];

export interface BuildOptions {
  board?: string;
  config?: string;
  searchPaths?: string[];
  /** The monitor program; the sdk's prebuilt one for the configuration by default. */
  monitorElf?: string;
}

export type BuildResult = { ok: true; check: CheckResult; diagnostics: Diagnostic[]; image: Uint8Array; report: Report; spec: Spec; plan: AllocationPlan } | { ok: false; check: CheckResult | undefined; diagnostics: Diagnostic[] };

function monitorPath(config: BuildConfig): string {
  return hostFiles().packageFile(`sdk/prebuilt/${config}/monitor.elf`);
}

interface Problem {
  span?: Span | undefined;
  reference?: string;
  hint?: string;
  notes?: Note[];
  severity?: Severity;
  /** For problems that are not in the description (the board, the monitor): no file. */
  noFile?: boolean;
}

/** The build's own diagnostics, after the description's. */
class BuildDiagnostics {
  readonly items: Diagnostic[] = [];
  constructor(private readonly file: SourceFile | undefined) {}

  add(code: DiagnosticCode, message: string, p: Problem = {}): void {
    const d: Diagnostic = { severity: p.severity ?? 'error', code, message, notes: p.notes ?? [] };
    if (this.file && !p.noFile) d.file = this.file;
    if (p.span && d.file) d.span = p.span;
    if (p.reference !== undefined) d.reference = p.reference;
    if (p.hint !== undefined) d.hint = p.hint;
    this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** `source` is the description's text, or its bytes (decoded as the reference tool reads them). */
export function buildSystem(fileName: string, source: string | Uint8Array, options: BuildOptions = {}): BuildResult {
  const boardName = options.board ?? BUILD_BOARD;
  const configName = options.config ?? 'debug';
  const early = new BuildDiagnostics(undefined);
  const board = findBoard(boardName);
  if (!board) {
    early.add('board_unknown', `unknown board '${boardName}'`, { hint: 'run sel4ts boards for the list' });
  } else if (boardName !== BUILD_BOARD) {
    early.add('board_not_runnable', `sel4ts builds and runs systems for ${BUILD_BOARD} only (the board of its machine model), not '${boardName}'`, {
      hint: 'use sel4ts check to validate a description for other boards',
    });
  }
  if (!(BUILD_CONFIGS as readonly string[]).includes(configName)) {
    early.add('config_unknown', `the configuration must be debug or release, not '${configName}'`, { hint: 'Microkit boards build in these two; sel4ts check also knows benchmark and smp-…' });
  }
  if (!board || early.hasErrors) return { ok: false, check: undefined, diagnostics: early.items };
  const config = configName as BuildConfig;
  const kernelConfig = boardKernelConfig(board, config)!;
  const searchPaths = options.searchPaths ?? [];
  const checkOptions = { config: kernelConfig, searchPaths };
  const check = typeof source === 'string' ? checkSystemSource(fileName, source, checkOptions) : checkSystemBytes(fileName, source, checkOptions);
  const ds = new BuildDiagnostics(check.file);
  const failed = (): BuildResult => ({ ok: false, check, diagnostics: [...check.diagnostics, ...ds.items] });
  if (!check.ok || !check.system) return failed();
  const system = check.system;

  reportUnsupportedFeatures(system, ds);

  // Programs: found on the search paths, checked, patched.
  const lookup = searchPathLookup(searchPaths);
  const programs = new Map<string, ProgramImage>();
  for (const pd of system.allProtectionDomains) {
    const path = pd.programImage?.path;
    if (path === undefined) continue;
    const span = programImageSpan(pd);
    const found = lookup(path);
    if (!found.found) {
      const where = (found.tried ?? [path]).map((p) => `'${p}'`).join(', ');
      ds.add('program_image_not_found', `protection domain '${pd.name}': program image '${path}' not found (looked for ${where})`, {
        span,
        reference: `Error: ${JSON.stringify(`unable to find program image: '${path}'`)}`,
        hint: "give the directory that holds it with --search-path (the description's own directory and the current one are searched too)",
      });
      continue;
    }
    if (!found.bytes) {
      // (What the reference's fs::read says of a directory, the usual case.)
      ds.add('program_image_unreadable', `protection domain '${pd.name}': program image '${path}' cannot be read (is it a directory?)`, {
        span,
        reference: `ERROR: failed to parse ELF '${found.path ?? path}' for PD '${pd.name}': failed to read ELF: ${RUST_IO_ERRORS.EISDIR}`,
      });
      continue;
    }
    const loaded = loadProgramImage(path, found.bytes);
    if (!loaded.ok) {
      const p: Problem = { span, hint: PROGRAM_HINTS[loaded.code] };
      if (loaded.referenceReason !== undefined) p.reference = `ERROR: failed to parse ELF '${found.path ?? path}' for PD '${pd.name}': ${loaded.referenceReason}`;
      ds.add(loaded.code, `protection domain '${pd.name}': ${loaded.error}`, p);
      continue;
    }
    programs.set(pd.name!, loaded.image);
    reportProgramWarnings(pd, loaded.image, config, ds);
  }
  if (ds.hasErrors) return failed();

  // Regions whose address a setvar needs get one now: the highest free place in RAM, below the
  // top and clear of every region with a fixed address (and of each other).
  const taken = system.memoryRegions.filter((mr) => mr.physAddr !== undefined).map((mr) => ({ base: Number(mr.physAddr), end: Number(mr.physAddr) + Number(mr.size ?? 0n) }));
  // (Above what the kernel keeps for the root task even for the largest root CNode.)
  const ramBottom = QEMU_VIRT.ram.base + kernelReserved(24);
  for (const mr of system.memoryRegions) {
    if (!mr.toolAllocated || mr.physAddr !== undefined) continue;
    const size = Number(mr.size!);
    const page = Number(mr.pageSize);
    let at = Math.floor((QEMU_VIRT.ram.base + QEMU_VIRT.ram.size - size) / page) * page;
    for (let clash = taken.find((t) => at < t.end && t.base < at + size); clash; clash = taken.find((t) => at < t.end && t.base < at + size)) {
      at = Math.floor((clash.base - size) / page) * page;
    }
    if (at < ramBottom) {
      ds.add('mr_no_free_paddr', `memory region '${mr.name}' (size 0x${size.toString(16)}) needs a physical address for a setvar region_paddr, and RAM has no free range that large left`, {
        span: mr.element.nameSpan,
        reference: `ERROR: cannot auto-select a physical address for MR ${mr.name} because there are no contiguous memory region of sufficient size.`,
        hint: 'make the region smaller, or give it a phys_addr',
      });
      return failed();
    }
    mr.physAddr = BigInt(at);
    taken.push({ base: at, end: at + size });
  }
  const mrPaddr = new Map(system.memoryRegions.map((mr) => [mr.name!, mr.physAddr === undefined ? undefined : Number(mr.physAddr)]));
  for (const pd of system.allProtectionDomains) {
    const image = programs.get(pd.name!)!;
    for (const d of patchPdSymbols(system, pd, image)) ds.items.push(d);
    patchRegionPaddrs(pd, image, (mr) => mrPaddr.get(mr));
  }
  if (ds.hasErrors) return failed();

  const monitorFile = options.monitorElf ?? monitorPath(config);
  const monitor = loadMonitor(monitorFile, ds);
  if (!monitor) return failed();
  const pds = system.allProtectionDomains;
  const monitorProblems = patchMonitorSymbols(
    monitor,
    pds.map((x) => x.name!),
    pds.map((x) => STACK_TOP - Number(x.stackSize)),
  );
  if (monitorProblems.length > 0) {
    const missing = monitorProblems.filter((p) => p.kind === 'missing').map((p) => `'${p.symbol}'`);
    const others = monitorProblems.filter((p) => p.kind !== 'missing').map((p) => p.message);
    const what = [...(missing.length > 0 ? [`'${monitorFile}' has no symbol ${missing.join(', ')}`] : []), ...others].join('; ');
    ds.add('monitor_invalid', `the monitor: ${what}`, { noFile: true, hint: MONITOR_HINT });
  }
  if (ds.hasErrors) return failed();

  const kernel = config === 'debug' ? MICROKIT_DEBUG : MICROKIT_RELEASE;
  let built: ReturnType<typeof buildSpec>;
  try {
    built = buildSpec({
      system,
      board: boardName,
      config,
      kernel: { hypervisor: kernel.hypervisor, hardwareDebugApi: kernel.hardwareDebugApi, debugBuild: kernel.debugBuild, paBits: kernel.paBits },
      programs,
      monitor,
      ram: QEMU_VIRT.ram,
      usToTicks,
    });
  } catch (e) {
    if (!(e instanceof ObjectNameClash)) throw e;
    reportNameClash(system, e, ds);
    return failed();
  }
  const spec = built.spec;
  const allocation = allocate(spec);
  if (!allocation.ok) {
    reportAllocationFailure(system, spec, allocation, ds);
    return failed();
  }

  const fromSpec = authorityFromSpec(spec);
  const differences = compareAuthority(fromSpec, authorityFromDescription(system));
  if (differences.length > 0) throw new Error(`the capabilities built do not match the description:\n${differences.join('\n')}`);

  const data = packFrameData(spec, built.contents);
  const image = writeImage({ spec, plan: allocation.plan, data });
  const sha256 = sha256Hex(image);
  const report = makeReport(fileName.split(/[\\/]/).pop()!, spec, allocation.plan, fromSpec, { bytes: image.length, sha256 });
  return { ok: true, check, diagnostics: [...check.diagnostics, ...ds.items], image, report, spec, plan: allocation.plan };
}

const PROGRAM_HINTS: Partial<Record<DiagnosticCode, string>> = {
  program_image_not_elf: 'program_image names the linked program (an AArch64 ELF executable), not a source, object or text file',
  program_image_not_aarch64: 'build it with an AArch64 compiler: clang --target=aarch64-none-elf or aarch64-linux-gnu-gcc (see sdk/README.md)',
  program_image_not_loadable: 'link a static executable at a fixed address (-static, -fno-pie, with sdk/microkit.ld)',
  program_image_segment_out_of_range: 'PD programs are linked at 0x200000 (sdk/microkit.ld); user addresses end at 0xffffffffff',
  program_image_segment_overlap: 'link it with sdk/microkit.ld, which starts every segment on its own page',
};

/** How Rust's std::io::Error prints the errors a read commonly meets (the reference tool's words). */
const RUST_IO_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory (os error 2)',
  EACCES: 'Permission denied (os error 13)',
  EISDIR: 'Is a directory (os error 21)',
};

const MONITOR_HINT = 'the monitor is sdk/prebuilt/<config>/monitor.elf (make -C sdk prebuilt rebuilds it)';

function loadMonitor(monitorFile: string, ds: BuildDiagnostics): ProgramImage | undefined {
  let bytes: Uint8Array;
  try {
    bytes = hostFiles().read(monitorFile);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const p: Problem = { noFile: true, hint: MONITOR_HINT };
    const rust = code === undefined ? undefined : RUST_IO_ERRORS[code];
    if (rust !== undefined) p.reference = `ERROR: failed to parse monitor ELF (${monitorFile}): failed to read ELF: ${rust}`;
    ds.add('monitor_unreadable', `the monitor program '${monitorFile}' cannot be read${code ? ` (${code})` : ''}`, p);
    return undefined;
  }
  const loaded = loadProgramImage(monitorFile, bytes);
  if (!loaded.ok) {
    const p: Problem = { noFile: true, hint: MONITOR_HINT };
    if (loaded.referenceReason !== undefined) p.reference = `ERROR: failed to parse monitor ELF (${monitorFile}): ${loaded.referenceReason}`;
    ds.add('monitor_invalid', `the monitor: ${loaded.error}`, p);
    return undefined;
  }
  return loaded.image;
}

/**
 * Warnings about a program that builds but will not behave: one not linked with libmicrokit,
 * and one built for the other configuration (see program-config.ts for how that is told).
 */
function reportProgramWarnings(pd: ProtectionDomain, image: ProgramImage, config: BuildConfig, ds: BuildDiagnostics): void {
  const span = programImageSpan(pd);
  if (!hasLibmicrokitSymbols(image)) {
    ds.add('program_image_without_libmicrokit', `protection domain '${pd.name}': '${image.name}' is not linked with libmicrokit (it has none of microkit_name, microkit_passive, microkit_irqs, microkit_notifications, microkit_pps)`, {
      severity: 'warning',
      span,
      hint: 'nothing will call its init, notified or protected, and the Microkit tool refuses such a program (it needs those symbols); link it with the libmicrokit.a of sdk/ unless it is meant to run bare',
    });
  }
  if (image.linesError !== undefined) {
    ds.add('program_debug_line_invalid', `protection domain '${pd.name}': '${image.name}': ${image.linesError}`, {
      severity: 'warning',
      span,
      hint: 'its faults are reported without source lines; rebuild it (sdk/sdk.mk builds with -g1), or strip its debug sections',
    });
  }
  const built = programConfig(image);
  if (!built || built.config === config) return;
  const other = built.config;
  const message = `protection domain '${pd.name}': '${image.name}' was built for the ${other} configuration, and this is a ${config} build: ${built.why}`;
  const consequence =
    other === 'debug'
      ? 'a release kernel has no debug system calls (each one is an UnknownSyscall fault) and numbers its invocations differently'
      : 'it prints nothing, and a debug kernel numbers its invocations differently (e.g. IRQAckIRQ is 27 in release, 31 in debug)';
  ds.add(other === 'debug' ? 'program_built_for_debug' : 'program_built_for_release', message, {
    severity: 'warning',
    span,
    hint: `${consequence}: rebuild it with CONFIG=${config} (see sdk/README.md), or build the system with --config ${other}`,
  });
}

/** What the description asks for that the machine and kernel models cannot provide. */
function reportUnsupportedFeatures(system: SystemDescription, ds: BuildDiagnostics): void {
  // (cpu other than 0 and IO address spaces cannot get here: for qemu_virt_aarch64 check
  // rejects them already, with cpu_out_of_range and io_address_space_without_iommu.)
  for (const pd of system.allProtectionDomains) {
    if (pd.virtualMachine) {
      ds.add('vm_not_modelled', `protection domain '${pd.name}' has a virtual machine: sel4ts does not model vCPUs yet`, { span: pd.virtualMachine.element.nameSpan });
    }
    if (pd.smc) {
      ds.add('pd_smc_not_modelled', `protection domain '${pd.name}' asks for SMC calls (smc="true"): sel4ts does not model the SMC cap`, { span: attr(pd.element, 'smc')?.valueSpan ?? pd.element.nameSpan });
    }
    for (const irq of pd.irqs) {
      if (irq.kind?.form !== 'arm') continue;
      const span = attr(irq.element, 'irq')?.valueSpan ?? irq.element.nameSpan;
      if (irq.kind.irq > BigInt(QEMU_VIRT_MAX_IRQ)) {
        ds.add('irq_not_on_board', `protection domain '${pd.name}': IRQ ${irq.kind.irq} does not exist on qemu_virt_aarch64 (its kernel accepts IRQs up to ${QEMU_VIRT_MAX_IRQ})`, { span });
      }
      if (irq.kind.irq === BigInt(KERNEL_TIMER_IRQ)) {
        ds.add('irq_kernel_timer', `protection domain '${pd.name}': IRQ ${KERNEL_TIMER_IRQ} is the kernel's own timer`, { span, hint: 'use a timer device of your own (qemu_virt_aarch64 has none besides the ARM generic timer the kernel keeps)' });
      }
    }
  }
}

/** The region or PD an object name was made from (the longest name that the object name contains). */
function entityOfObject(system: SystemDescription, objectName: string): Entity | undefined {
  let best: { e: Entity; length: number } | undefined;
  const consider = (e: Entity, name: string | undefined) => {
    if (name === undefined || !objectName.includes(name)) return;
    if (!best || name.length > best.length) best = { e, length: name.length };
  };
  for (const mr of system.memoryRegions) consider(mr, mr.name);
  for (const pd of system.allProtectionDomains) consider(pd, pd.name);
  return best?.e;
}

function reportNameClash(system: SystemDescription, e: ObjectNameClash, ds: BuildDiagnostics): void {
  // Every entity whose name is part of the clashing name: the last one written gets the error,
  // the others a note.
  const involved: Entity[] = [];
  for (const mr of system.memoryRegions) if (mr.name !== undefined && e.objectName.includes(mr.name)) involved.push(mr);
  for (const pd of system.allProtectionDomains) if (pd.name !== undefined && e.objectName.includes(pd.name)) involved.push(pd);
  involved.sort((a, b) => a.element.span.start - b.element.span.start);
  const last = involved.pop();
  ds.add('system_object_name_clash', e.message, {
    span: last?.element.nameSpan,
    notes: involved.map((x) => ({ message: `'${e.objectName}' also comes from this name`, file: system.file, span: x.element.nameSpan })),
  });
}

function reportAllocationFailure(system: SystemDescription, spec: Spec, failure: { error: string; object: number }, ds: BuildDiagnostics): void {
  const obj = spec.objects[failure.object]!;
  const reference = 'ERROR: could not allocate all required kernel objects. Please see report for more details.';
  const region = obj.kind === 'frame' && obj.holds.startsWith('region ') ? system.memoryRegions.find((mr) => `region ${mr.name}` === obj.holds) : undefined;
  if (region && obj.kind === 'frame' && obj.paddr !== undefined) {
    ds.add('mr_phys_addr_unavailable', `memory region '${region.name}': ${failure.error}`, { span: attr(region.element, 'phys_addr')?.valueSpan ?? region.element.nameSpan, reference });
    return;
  }
  const entity = region ?? entityOfObject(system, obj.name);
  const span = entity ? (region ? (attr(region.element, 'size')?.valueSpan ?? region.element.nameSpan) : entity.element.nameSpan) : undefined;
  ds.add('system_out_of_memory', failure.error, { span, reference, hint: 'qemu_virt_aarch64 has 2 GiB of RAM; the report lists what each object takes' });
}

/** The messages of a build's errors, one a line (for scripts and tests that only need to fail loudly). */
export function buildErrors(result: BuildResult): string[] {
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
}
