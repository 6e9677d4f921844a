import { fileURLToPath } from 'node:url';
import { boardKernelConfig, findBoard } from '../../src/abi/boards.js';
import { buildErrors, buildSystem } from '../../src/compiler/build.js';
import { checkSystemSource } from '../../src/compiler/check.js';
import { SourceFile } from '../../src/diagnostics/source-file.js';
import type { SystemDescription } from '../../src/parser/model.js';
import { policyLibraries } from '../../src/cli/policy-option.js';
import { checkPolicies } from '../../src/policy/check-policies.js';
import type { Flow } from '../../src/policy/flows.js';
import { type PolicySubject, subjectFromDescription, subjectFromSpec } from '../../src/policy/subject.js';

/** A program that runs as any PD (it defines every setvar symbol the corpus patches). */
export const ANY_PD_PROGRAMS = fileURLToPath(new URL('../build/programs', import.meta.url));

const CONFIG = boardKernelConfig(findBoard('qemu_virt_aarch64')!, 'debug')!;

/** A system description of PDs that all run corpus-pd.elf: `<system>` around `body`. */
export function systemXml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<system>\n${body.replace(/<program_image\s*\/>/g, '<program_image path="corpus-pd.elf" />')}\n</system>\n`;
}

export function checked(text: string, name = 'system.system'): SystemDescription {
  const r = checkSystemSource(name, text, { config: CONFIG });
  if (!r.ok || !r.system) throw new Error(`${name} does not check: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.system;
}

/** The subject of a description as check sees it and as build sees it (its Spec). */
export function subjects(text: string, name = 'system.system', searchPaths = [ANY_PD_PROGRAMS]): { description: PolicySubject; spec: PolicySubject } {
  const system = checked(text, name);
  const built = buildSystem(name, text, { searchPaths });
  if (!built.ok) throw new Error(`${name} does not build: ${buildErrors(built).join('; ')}`);
  return { description: subjectFromDescription(system), spec: subjectFromSpec(built.spec, built.check.system!) };
}

/** Flows as sorted `from → to kind (via)` lines: comparable across derivations. */
export function flowLines(flows: Flow[]): string[] {
  return flows.map((f) => `${f.from} → ${f.to} ${f.kind} (${f.via})`).sort();
}

/** Check policy text (YAML, or JSON when `name` ends in .json) against a subject. */
export function runPolicy(subject: PolicySubject, policy: string, name = 'policy.yaml') {
  return checkPolicies([new SourceFile(name, policy)], subject, policyLibraries());
}
