import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { checkPolicy, type PolicyVerdict } from './evaluate.js';
import { type PolicyLibraries, readPolicy } from './policy-file.js';
import type { PolicySubject } from './subject.js';

/**
 * Every policy file against one subject: each file's errors, or its violations. A verdict for
 * each policy that could be read (`holds` when it has no violation).
 */
export function checkPolicies(files: SourceFile[], subject: PolicySubject, libs: PolicyLibraries): { diagnostics: Diagnostic[]; verdicts: PolicyVerdict[] } {
  const diagnostics: Diagnostic[] = [];
  const verdicts: PolicyVerdict[] = [];
  for (const file of files) {
    const read = readPolicy(file, subject, libs);
    diagnostics.push(...read.diagnostics);
    if (!read.policy) continue;
    const verdict = checkPolicy(read.policy, subject);
    diagnostics.push(...verdict.diagnostics);
    verdicts.push(verdict);
  }
  return { diagnostics, verdicts };
}
