import { readFileSync } from 'node:fs';
import { IMAGE_MAGIC } from '../compiler/image/image.js';
import { looksLikeUtf16 } from '../parser/decode.js';
import { EM_AARCH64 } from '../util/elf64.js';
import { InputError, UsageError } from './io.js';
import { readErrorWhy } from './read-error.js';

/**
 * What a file given on the command line holds, recognised by its content (not its name), so
 * each command can say what it got instead of parsing a program as XML.
 */
export type InputContent =
  /** Text (or what must be decoded as text): XML, YAML or JSON. Encoding problems are the decoder's. */
  { kind: 'text' } | { kind: 'elf'; machine: string; aarch64: boolean; type: string } | { kind: 'image' } | { kind: 'empty' } | { kind: 'binary'; head: string };

export interface InputFile {
  /** The path exactly as given. */
  path: string;
  bytes: Uint8Array;
  content: InputContent;
}

/** What each command accepts: check and build a description; run a description or an image. */
export type InputUse = 'check' | 'build' | 'run';

function readInputFile(path: string): InputFile {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const why = readErrorWhy(e);
    throw new UsageError(`cannot read '${path}': ${why}`);
  }
  return { path, bytes, content: classifyContent(bytes) };
}

// e_machine values (ELF gABI registry) a user is likely to hand us by mistake.
const ELF_MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'AArch32', 62: 'x86-64', [EM_AARCH64]: 'AArch64', 243: 'RISC-V' };
const ELF_TYPES: Record<number, string> = { 1: 'object file', 2: 'program', 3: 'program or shared library', 4: 'core dump' };

/** How many leading bytes are looked at for NULs, as git decides "binary". */
const SNIFF_LENGTH = 8000;

export function classifyContent(bytes: Uint8Array): InputContent {
  if (bytes.length === 0) return { kind: 'empty' };
  if (bytes.length >= 20 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    // EI_DATA (byte 5) says the byte order of e_type (16) and e_machine (18).
    const le = bytes[5] !== 2;
    const half = (at: number) => (le ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
    const machineNumber = half(18);
    const machine = ELF_MACHINES[machineNumber] ?? `machine ${machineNumber}`;
    return { kind: 'elf', machine, aarch64: machineNumber === EM_AARCH64, type: ELF_TYPES[half(16)] ?? 'file' };
  }
  if (bytes.length >= IMAGE_MAGIC.length && new TextDecoder().decode(bytes.subarray(0, IMAGE_MAGIC.length)) === IMAGE_MAGIC) return { kind: 'image' };
  // UTF-16 text has NULs too; it is text in the wrong encoding, which the decoder explains.
  if (looksLikeUtf16(bytes)) return { kind: 'text' };
  if (bytes.subarray(0, SNIFF_LENGTH).includes(0)) {
    const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return { kind: 'binary', head: bytes.length > 8 ? `${head} …` : head };
  }
  return { kind: 'text' };
}

// ("an x86-64", "an AArch64", "a RISC-V")
const article = (word: string) => (/^[aeiox]/i.test(word) ? 'an' : 'a');

/**
 * Why `input` cannot be used by `use`, with what to do instead; undefined when it can.
 * (A boot image is usable by run only; text by every command.)
 */
function unusableInput(input: InputFile, use: InputUse): string | undefined {
  const c = input.content;
  const path = input.path;
  const wanted = use === 'run' ? 'not a system description or a boot image' : 'not a system description';
  switch (c.kind) {
    case 'text':
      return undefined;
    case 'image':
      return use === 'run' ? undefined : `this is a sel4ts boot image, ${wanted}; run it with \`sel4ts run ${path}\``;
    case 'elf': {
      const what = `this is ${article(c.machine)} ${c.machine} ${c.type} (ELF), ${wanted}`;
      if (!c.aarch64) return `${what}; sel4ts builds and runs AArch64 programs only`;
      if (c.type !== 'program' && c.type !== 'program or shared library') return `${what}; link it into a program and name that in a <program_image>`;
      return use === 'run'
        ? `${what}; run it alone with \`sel4ts machine exec ${path}\`, or name it in a <program_image> of a protection domain`
        : `${what}; name it in a <program_image> of a protection domain, or run it alone with \`sel4ts machine exec ${path}\``;
    }
    case 'empty':
      return `the file is empty; ${use === 'run' ? '`sel4ts run` takes a system description or a boot image' : 'a system description is a <system> element (XML), or the same in YAML or JSON'}`;
    case 'binary':
      return `this is not a text file (it starts with ${c.head}); ${use === 'run' ? '`sel4ts run` takes a system description or a boot image' : 'a system description is XML, YAML or JSON text'}`;
  }
}

/** Read a file for `use`, or stop with an input error (exit status 1) saying what it is instead. */
export function readInputFor(path: string, use: InputUse): InputFile {
  const input = readInputFile(path);
  const problem = unusableInput(input, use);
  if (problem !== undefined) throw new InputError(`${path}: ${problem}`);
  return input;
}
