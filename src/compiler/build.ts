import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { boardKernelConfig, findBoard } from '../abi/boards.js';
import { QEMU_VIRT } from '../machine/boards/qemu-virt.js';
import { KERNEL_TIMER_IRQ, QEMU_VIRT_MAX_IRQ } from '../kernel/interrupts.js';
import { kernelReserved } from '../kernel/kernel.js';
import { MICROKIT_DEBUG, MICROKIT_RELEASE } from '../kernel/object-types.js';
import { usToTicks } from '../kernel/state.js';
import type { SystemDescription } from '../parser/model.js';
import { packageFile } from '../util/package-file.js';
import { allocate, type AllocationPlan } from './alloc/allocate.js';
import { authorityFromDescription, authorityFromSpec, compareAuthority } from './authority.js';
import { checkSystemBytes, checkSystemSource, searchPathLookup, type CheckResult } from './check.js';
import { patchMonitorSymbols, patchPdSymbols, patchRegionPaddrs } from './elf/microkit-symbols.js';
import { loadProgramImage, type ProgramImage } from './elf/program-image.js';
import { packFrameData, writeImage } from './image/image.js';
import { makeReport, type Report } from './report/report.js';
import { buildSpec, ObjectNameClash, STACK_TOP } from './spec/build-spec.js';
import type { Spec } from './spec/types.js';

/**
 * `sel4ts build`: description → checked model → patched programs → Spec → allocation →
 * authority check → boot image and report.
 */

export const BUILD_BOARD = 'qemu_virt_aarch64';
export const BUILD_CONFIGS = ['debug', 'release'] as const;
export type BuildConfig = (typeof BUILD_CONFIGS)[number];

export interface BuildOptions {
  board?: string;
  config?: string;
  searchPaths?: string[];
  /** The monitor program; the sdk's prebuilt one for the configuration by default. */
  monitorElf?: string;
}

export type BuildResult =
  | { ok: true; check: CheckResult; image: Uint8Array; report: Report; spec: Spec; plan: AllocationPlan }
  | { ok: false; check: CheckResult | undefined; errors: string[] };

/** An error in the build's own terms (not a description diagnostic). */
const failed = (check: CheckResult | undefined, ...errors: string[]): BuildResult => ({ ok: false, check, errors });

export function monitorPath(config: BuildConfig): string {
  return packageFile(`sdk/prebuilt/${config}/monitor.elf`);
}

/** `source` is the description's text, or its bytes (decoded as the reference tool reads them). */
export function buildSystem(fileName: string, source: string | Uint8Array, options: BuildOptions = {}): BuildResult {
  const boardName = options.board ?? BUILD_BOARD;
  const configName = options.config ?? 'debug';
  const board = findBoard(boardName);
  if (!board) return failed(undefined, `unknown board '${boardName}' (run sel4ts boards for the list)`);
  if (boardName !== BUILD_BOARD) return failed(undefined, `sel4ts builds and runs systems for ${BUILD_BOARD} only (the board of its machine model), not '${boardName}'; use sel4ts check to validate for other boards`);
  if (!(BUILD_CONFIGS as readonly string[]).includes(configName)) return failed(undefined, `the configuration must be debug or release, not '${configName}'`);
  const config = configName as BuildConfig;
  const kernelConfig = boardKernelConfig(board, config)!;
  const searchPaths = options.searchPaths ?? [];
  const checkOptions = { config: kernelConfig, searchPaths };
  const check = typeof source === 'string' ? checkSystemSource(fileName, source, checkOptions) : checkSystemBytes(fileName, source, checkOptions);
  if (!check.ok || !check.system) return failed(check);
  const system = check.system;

  const unsupported = unsupportedFeatures(system);
  if (unsupported.length > 0) return failed(check, ...unsupported);

  // Programs: found on the search paths, checked, patched.
  const lookup = searchPathLookup(searchPaths);
  const programs = new Map<string, ProgramImage>();
  const errors: string[] = [];
  for (const pd of system.allProtectionDomains) {
    const path = pd.programImage?.path;
    if (path === undefined) continue;
    const found = lookup(path);
    if (!found.found) {
      errors.push(`protection domain '${pd.name}': program image '${path}' not found (looked for ${(found.tried ?? [path]).map((p) => `'${p}'`).join(', ')})`);
      continue;
    }
    if (!found.bytes) {
      errors.push(`protection domain '${pd.name}': program image '${path}' cannot be read (is it a directory?)`);
      continue;
    }
    const loaded = loadProgramImage(path, found.bytes);
    if (!loaded.ok) {
      errors.push(`protection domain '${pd.name}': ${loaded.error}`);
      continue;
    }
    programs.set(pd.name!, loaded.image);
  }
  if (errors.length > 0) return failed(check, ...errors);

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
    if (at < ramBottom) return failed(check, `memory region '${mr.name}' (${size} bytes) needs a physical address, and RAM has no free range that large left`);
    mr.physAddr = BigInt(at);
    taken.push({ base: at, end: at + size });
  }
  const mrPaddr = new Map(system.memoryRegions.map((mr) => [mr.name!, mr.physAddr === undefined ? undefined : Number(mr.physAddr)]));
  for (const pd of system.allProtectionDomains) {
    const image = programs.get(pd.name!)!;
    errors.push(...patchPdSymbols(system, pd, image).map((e) => `protection domain '${pd.name}': ${e}`));
    errors.push(...patchRegionPaddrs(pd, image, (mr) => mrPaddr.get(mr)).map((e) => `protection domain '${pd.name}': ${e}`));
  }
  let monitorBytes: Uint8Array;
  const monitorFile = options.monitorElf ?? monitorPath(config);
  try {
    monitorBytes = new Uint8Array(readFileSync(monitorFile));
  } catch {
    return failed(check, `the monitor program '${monitorFile}' cannot be read`);
  }
  const monitorLoaded = loadProgramImage('monitor.elf', monitorBytes);
  if (!monitorLoaded.ok) return failed(check, `the monitor: ${monitorLoaded.error}`);
  const monitor = monitorLoaded.image;
  const pds = system.allProtectionDomains;
  errors.push(...patchMonitorSymbols(monitor, pds.map((p) => p.name!), pds.map((p) => STACK_TOP - Number(p.stackSize))).map((e) => `the monitor: ${e}`));
  if (errors.length > 0) return failed(check, ...errors);

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
    if (e instanceof ObjectNameClash) return failed(check, e.message);
    throw e;
  }
  const spec = built.spec;
  const allocation = allocate(spec);
  if (!allocation.ok) return failed(check, allocation.error);

  const fromSpec = authorityFromSpec(spec);
  const differences = compareAuthority(fromSpec, authorityFromDescription(system));
  if (differences.length > 0) throw new Error(`the capabilities built do not match the description:\n${differences.join('\n')}`);

  const data = packFrameData(spec, built.contents);
  const image = writeImage({ spec, plan: allocation.plan, data });
  const sha256 = createHash('sha256').update(image).digest('hex');
  const report = makeReport(fileName.split(/[\\/]/).pop()!, spec, allocation.plan, fromSpec, { bytes: image.length, sha256 });
  return { ok: true, check, image, report, spec, plan: allocation.plan };
}

/** What the description asks for that the machine and kernel models cannot provide. */
function unsupportedFeatures(system: SystemDescription): string[] {
  const out: string[] = [];
  for (const pd of system.allProtectionDomains) {
    if (pd.virtualMachine) out.push(`protection domain '${pd.name}' has a virtual machine: sel4ts does not model vCPUs yet`);
    if (pd.smc) out.push(`protection domain '${pd.name}' asks for SMC calls (smc="true"): sel4ts does not model the SMC cap`);
    if (pd.cpu !== 0) out.push(`protection domain '${pd.name}' runs on cpu ${pd.cpu}: the machine model has one core`);
    for (const irq of pd.irqs) {
      if (irq.kind?.form !== 'arm') continue;
      if (irq.kind.irq > BigInt(QEMU_VIRT_MAX_IRQ)) out.push(`protection domain '${pd.name}': IRQ ${irq.kind.irq} does not exist on qemu_virt_aarch64 (its kernel accepts IRQs up to ${QEMU_VIRT_MAX_IRQ})`);
      if (irq.kind.irq === BigInt(KERNEL_TIMER_IRQ)) out.push(`protection domain '${pd.name}': IRQ ${KERNEL_TIMER_IRQ} is the kernel's own timer`);
    }
  }
  if (system.ioAddressSpaces.length > 0) out.push('the description has IO address spaces: sel4ts does not model an IOMMU');
  return out;
}

