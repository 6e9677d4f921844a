import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CheckResult } from '../../compiler/check.js';
import { bootImage, type Booted } from '../../loader/boot.js';
import type { MachineOptions } from '../../machine/machine.js';
import { EXIT_INPUT, EXIT_INTERNAL, InputError, type Io } from '../io.js';
import { readInputFor, type InputFile } from '../read-input.js';
import { runBuild, type BuildCommandOptions } from '../commands/build.js';
import { optionsAnImageIgnores, writeBuildOutputs } from './build-outputs.js';
import { pdPlaces, type PdPlace } from './github.js';

/** A system ready to run, and where its PDs are declared (unknown for an image). */
export type Loaded = { ok: true; booted: Booted; places: Map<string, PdPlace>; programs: Map<string, string> } | { ok: false; exitCode: number; message: string };

/**
 * Read a boot image, or build one from a description (writing the files build options name), and
 * boot it; anything else (a program, an empty file) is refused with what it is and what to do.
 */
export function loadSystem(file: string, opts: BuildCommandOptions, io: Io, machineOptions: MachineOptions): Loaded {
  let given: InputFile;
  try {
    given = readInputFor(file, 'run');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`sel4ts: ${e.message}\n`);
    return { ok: false, exitCode: EXIT_INPUT, message: e.message };
  }
  if (given.content.kind === 'image') {
    for (const option of optionsAnImageIgnores(opts)) io.stderr(`sel4ts: warning: ${option} is ignored: ${file} is a boot image, built already\n`);
    const r = bootImage(given.bytes, machineOptions);
    if (!r.ok) {
      io.stderr(`sel4ts: ${file}: ${r.error}\n`);
      return { ok: false, exitCode: EXIT_INPUT, message: r.error };
    }
    return { ok: true, booted: r.booted, places: new Map(), programs: new Map() };
  }
  const built = runBuild(file, opts, io, given);
  if (!built) return { ok: false, exitCode: EXIT_INPUT, message: 'the system did not build (the errors are on stderr)' };
  writeBuildOutputs(built, opts);
  const r = bootImage(built.image, machineOptions);
  if (!r.ok) {
    io.stderr(`sel4ts: internal error: the image just built does not boot: ${r.error}\n`);
    return { ok: false, exitCode: EXIT_INTERNAL, message: r.error };
  }
  return { ok: true, booted: r.booted, places: pdPlaces(built.check), programs: programFiles(built.check, [...(opts.searchPath ?? []), dirname(file), io.cwd]) };
}

/** Each PD's program image as a file (for GDB): found as the build found it, on the search paths. */
function programFiles(check: CheckResult, searchPaths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pd of check.system?.allProtectionDomains ?? []) {
    const path = pd.programImage?.path;
    if (pd.name === undefined || path === undefined) continue;
    const found = isAbsolute(path) ? path : searchPaths.map((dir) => resolve(dir, path)).find((p) => existsSync(p));
    if (found !== undefined) out.set(pd.name, resolve(found));
  }
  return out;
}
