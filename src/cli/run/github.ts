import type { CheckResult } from '../../compiler/check.js';
import { escapeGithub } from '../../diagnostics/render.js';
import type { FaultRecord } from './faults.js';
import type { Outcome } from './outcome.js';

/**
 * `--format github`: faults and failures as GitHub Actions workflow commands
 * (`::error file=…,line=…,title=…::message`), which the runner reads from stdout and stderr
 * alike; `run` writes them on stderr, so stdout stays the console.
 */

/** Where a PD is declared: the description and the line of its `<protection_domain>`. */
export interface PdPlace {
  file: string;
  line: number;
}

/** Each PD's place in the description it was built from. */
export function pdPlaces(check: CheckResult): Map<string, PdPlace> {
  const places = new Map<string, PdPlace>();
  for (const pd of check.system?.allProtectionDomains ?? []) {
    if (pd.name !== undefined) places.set(pd.name, { file: check.file.name, line: check.file.locate(pd.element.span.start).line });
  }
  return places;
}

function command(level: 'error' | 'warning', title: string, message: string, place: PdPlace | undefined): string {
  const props = [...(place ? [`file=${escapeGithub(place.file, true)}`, `line=${place.line}`] : []), `title=${escapeGithub(title, true)}`];
  return `::${level} ${props.join(',')}::${escapeGithub(message, false)}`;
}

/** A fault that fails the run is an error; with --allow-faults, a warning. */
export function faultAnnotation(r: FaultRecord, text: string, place: PdPlace | undefined, allowFaults: boolean): string {
  return command(allowFaults ? 'warning' : 'error', `${r.kind} in ${r.pd}`, text, place);
}

/** A failed run that is not a fault (those have their own annotations): time limit, output, interrupt. */
export function outcomeAnnotation(o: Outcome): string {
  return command('error', `sel4ts run: ${o.status}`, o.message, undefined);
}
