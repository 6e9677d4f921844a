import { readFileSync } from 'node:fs';
import { IMAGE_MAGIC } from '../../compiler/image/image.js';
import { bootImage, type Booted } from '../../loader/boot.js';
import type { MachineOptions } from '../../machine/machine.js';
import { EXIT_INPUT, EXIT_INTERNAL, type Io } from '../io.js';
import { runBuild, type BuildCommandOptions } from '../commands/build.js';
import { optionsAnImageIgnores, writeBuildOutputs } from './build-outputs.js';
import { pdPlaces, type PdPlace } from './github.js';

/** A system ready to run, and where its PDs are declared (unknown for an image). */
export type Loaded = { ok: true; booted: Booted; places: Map<string, PdPlace> } | { ok: false; exitCode: number; message: string };

function isImage(path: string): boolean {
  try {
    const head = readFileSync(path).subarray(0, 8);
    return new TextDecoder().decode(head) === IMAGE_MAGIC;
  } catch {
    return false;
  }
}

/** Read a boot image, or build one from a description (writing the files build options name), and boot it. */
export function loadSystem(file: string, opts: BuildCommandOptions, io: Io, machineOptions: MachineOptions): Loaded {
  if (isImage(file)) {
    for (const option of optionsAnImageIgnores(opts)) io.stderr(`sel4ts: warning: ${option} is ignored: ${file} is a boot image, built already\n`);
    const r = bootImage(new Uint8Array(readFileSync(file)), machineOptions);
    if (!r.ok) {
      io.stderr(`sel4ts: ${file}: ${r.error}\n`);
      return { ok: false, exitCode: EXIT_INPUT, message: r.error };
    }
    return { ok: true, booted: r.booted, places: new Map() };
  }
  const built = runBuild(file, opts, io);
  if (!built) return { ok: false, exitCode: EXIT_INPUT, message: 'the system did not build (the errors are on stderr)' };
  writeBuildOutputs(built, opts);
  const r = bootImage(built.image, machineOptions);
  if (!r.ok) {
    io.stderr(`sel4ts: internal error: the image just built does not boot: ${r.error}\n`);
    return { ok: false, exitCode: EXIT_INTERNAL, message: r.error };
  }
  return { ok: true, booted: r.booted, places: pdPlaces(built.check) };
}
