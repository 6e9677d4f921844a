import { readImage, type BootImage } from '../compiler/image/image.js';
import { Sel4Kernel } from '../kernel/kernel.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import { rootCNodeBitsFor } from '../compiler/alloc/root-cnode.js';
import { initialise, InitialiserError } from './initialiser.js';

/**
 * The loader: check a boot image, make the machine and the kernel, and let the initialiser
 * build the system. The machine is ready to run afterwards (`machine.run(kernel)`).
 */

export interface Booted {
  machine: Machine;
  kernel: Sel4Kernel;
  image: BootImage;
}

export type BootResult = { ok: true; booted: Booted } | { ok: false; error: string };

export function bootImage(bytes: Uint8Array, options: MachineOptions = {}): BootResult {
  const read = readImage(bytes);
  if (!read.ok) return read;
  return bootSystem(read.image, options);
}

function bootSystem(image: BootImage, options: MachineOptions = {}): BootResult {
  const spec = image.spec;
  const machine = new Machine(options);
  const rootCNodeBits = rootCNodeBitsFor(spec);
  const kernel = new Sel4Kernel(machine, {
    config: { hypervisor: spec.kernel.hypervisor, hardwareDebugApi: spec.kernel.hardwareDebugApi, debugBuild: spec.kernel.debugBuild, paBits: spec.kernel.paBits, smp: false },
    numDomains: spec.numDomains,
    rootCNodeBits,
  });
  try {
    initialise(kernel, image);
  } catch (e) {
    if (e instanceof InitialiserError) return { ok: false, error: `the image is inconsistent: ${e.message}` };
    // A checksummed image that does not have the shape the builder writes was made by hand.
    if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) return { ok: false, error: `the image is inconsistent: its system section is malformed (${e.message})` };
    throw e;
  }
  return { ok: true, booted: { machine, kernel, image } };
}
