import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { classifyContent } from '../src/cli/read-input.js';
import { checkSystemBytes, checkSystemSource } from '../src/compiler/check.js';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import { IMAGE_MAGIC } from '../src/compiler/image/image.js';
import { BOARDS } from '../src/abi/boards.js';
import { READ_TO_STRING_PANIC } from '../src/parser/decode.js';
import { renderMicrokit } from '../src/diagnostics/render.js';

/** Inputs recognised by their content, read as the reference tool reads them. */

const HELLO_DIR = fileURLToPath(new URL('../examples/hello/', import.meta.url));
const HELLO_ELF = join(HELLO_DIR, 'hello.elf');
const QEMU = BOARDS[0]!.config;

async function sel4ts(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd() });
  return { code, stdout, stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-input-'));
const file = (name: string, data: string | Uint8Array) => {
  const path = join(tmp, name);
  writeFileSync(path, data);
  return path;
};

describe('what a command is given, recognised by content', () => {
  const image = file('loader.img', new Uint8Array([...new TextEncoder().encode(IMAGE_MAGIC), 1, 0, 0, 0]));
  const empty = file('empty.img', '');
  const binary = file('blob.system', new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));

  it('a program given to check, build or run: says what it is and what to do, exit 1, no code frame', async () => {
    for (const command of ['check', 'build', 'run']) {
      const r = await sel4ts(command, HELLO_ELF);
      expect(r.code, command).toBe(1);
      expect(r.stderr).toMatch(/^sel4ts: .*hello\.elf: this is an AArch64 program \(ELF\), not a system description/);
      expect(r.stderr).toContain(`\`sel4ts machine exec ${HELLO_ELF}\``);
      expect(r.stderr).toContain('<program_image>');
      expect(r.stderr).not.toContain(' | ');
    }
  });

  it('a boot image: check and build say to run it; run runs it', async () => {
    for (const command of ['check', 'build']) {
      const r = await sel4ts(command, image);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`sel4ts: ${image}: this is a sel4ts boot image, not a system description; run it with \`sel4ts run ${image}\`\n`);
    }
    // A truncated image is read as an image (and refused as one), not parsed as XML.
    const run = await sel4ts('run', image);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/xml|not a text file/i);
  });

  it('an empty file and a binary file', async () => {
    for (const command of ['check', 'build', 'run']) {
      const e = await sel4ts(command, empty);
      expect(e.code).toBe(1);
      expect(e.stderr).toMatch(/^sel4ts: .*empty\.img: the file is empty; /);
      const b = await sel4ts(command, binary);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/blob\.system: this is not a text file \(it starts with 00 01 02 03 04 05 06 07 …\)/);
    }
  });

  it('machine exec given a description or an image says how to run it', async () => {
    const description = await sel4ts('machine', 'exec', join(HELLO_DIR, 'hello.system'));
    expect(description.code).toBe(126);
    expect(description.stderr).toMatch(/not an ELF file \(bad magic\); it is text: if it is a system description, run it with `sel4ts run .*hello\.system`/);
    const img = await sel4ts('machine', 'exec', image);
    expect(img.stderr).toContain(`it is a sel4ts boot image: run it with \`sel4ts run ${image}\``);
  });

  it('names other machines and kinds of ELF file', () => {
    const elf = (machine: number, type: number) => {
      const b = new Uint8Array(64);
      b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
      b[16] = type;
      b[18] = machine;
      return classifyContent(b);
    };
    expect(elf(62, 2)).toEqual({ kind: 'elf', machine: 'x86-64', aarch64: false, type: 'program' });
    expect(elf(183, 1)).toEqual({ kind: 'elf', machine: 'AArch64', aarch64: true, type: 'object file' });
    expect(elf(243, 3)).toMatchObject({ machine: 'RISC-V' });
    // UTF-16 text has NULs but is text (in the wrong encoding), for the decoder to explain.
    expect(classifyContent(new Uint8Array([0xff, 0xfe, 0x3c, 0]))).toEqual({ kind: 'text' });
    expect(classifyContent(new Uint8Array([0x3c, 0, 0x73, 0]))).toEqual({ kind: 'text' });
  });
});

describe('XML, YAML or JSON', () => {
  const FORMATS = fileURLToPath(new URL('./fixtures/formats/', import.meta.url));
  it('a file with another name is read as what it looks like', async () => {
    for (const ext of ['json', 'yaml', 'system']) {
      const copy = join(tmp, `ping-pong-${ext}.txt`);
      copyFileSync(join(FORMATS, `ping-pong.${ext}`), copy);
      const r = await sel4ts('check', copy, '--search-path', FORMATS);
      expect([ext, r.code, r.stderr]).toEqual([ext, 0, `${copy}: ok (0 errors, 0 warnings)\n`]);
    }
  });

  it('a .system file holding JSON is XML to the reference tool: the hint says what it is', () => {
    const text = readFileSync(join(FORMATS, 'ping-pong.json'), 'utf8');
    const [d] = checkSystemSource('p.system', text, { config: QEMU }).diagnostics;
    expect(d).toMatchObject({ code: 'xml_syntax', reference: "Could not parse 'p.system': unknown token at 1:1" });
    expect(d!.hint).toMatch(/^the file looks like JSON: name it \.json/);
  });
});

describe('a first word that is neither a command nor a file', () => {
  it('gets "no such file" and the closest file or command', async () => {
    const dir = join(tmp, 'typo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'my.system'), '<system/>');
    const r = await sel4ts(join(dir, 'my.sytem'), '--board', 'qemu_virt_aarch64');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sel4ts: '${join(dir, 'my.sytem')}' is not a command and no such file exists (did you mean '${join(dir, 'my.system')}'?); run sel4ts --help for the commands\n`);
    const c = await sel4ts('chek', 'a.system');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^sel4ts: 'chek' is not a command and no such file exists \(did you mean 'check'\?\)/);
    const far = await sel4ts('frobnicate');
    expect(far.stderr).toBe("sel4ts: 'frobnicate' is not a command and no such file exists; run sel4ts --help for the commands\n");
  });

  it('an existing file is built (the reference spelling), whatever its name', async () => {
    const r = await sel4ts(HELLO_ELF);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hello\.elf: this is an AArch64 program \(ELF\)/);
  });
});

describe('encodings, as the reference tool reads the file', () => {
  const pd = (name: string) => `<system>\n    <protection_domain name="${name}">\n        <program_image path="a.elf" />\n    </protection_domain>\n</system>\n`;

  it('a Latin-1 name is an error at its byte, not a replacement character', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode(pd('caf')).subarray(0, 41), 0xe9, ...new TextEncoder().encode(pd('caf')).subarray(41)]);
    const r = checkSystemBytes('latin1.system', bytes, { config: QEMU, lookupFile: () => ({ found: false }) });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([['encoding_invalid_utf8', 'the file is not UTF-8: byte 0xe9 at byte offset 41 does not begin or continue a UTF-8 character']]);
    expect(r.file.locate(r.diagnostics[0]!.span!.start)).toEqual({ line: 2, column: 33 });
    expect(r.diagnostics[0]!.hint).toMatch(/Latin-1/);
    expect(renderMicrokit(r.diagnostics).stderr).toEqual([READ_TO_STRING_PANIC]);
    const cli = await sel4ts('check', file('latin1.system', bytes));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/latin1\.system:2:33: error\[encoding_invalid_utf8\]/);
  });

  it('overlong forms and surrogates are not UTF-8 either; a UTF-8 BOM is', () => {
    const check = (bytes: number[]) => checkSystemBytes('f.system', new Uint8Array(bytes), { config: QEMU }).diagnostics.map((d) => d.code);
    const system = [...new TextEncoder().encode('<system/>')];
    expect(check([0xc0, 0xbc, ...system])).toEqual(['encoding_invalid_utf8']);
    expect(check([0xed, 0xa0, 0x80, ...system])).toEqual(['encoding_invalid_utf8']);
    expect(check([0xef, 0xbb, 0xbf, ...system])).toEqual(['system_no_protection_domain']);
  });

  it('UTF-16 with a BOM is refused as the reference refuses it; without one, as its XML reader does', () => {
    const le = (s: string) => new Uint8Array([...s].flatMap((c) => [c.charCodeAt(0), 0]));
    const withBom = checkSystemBytes('u.system', new Uint8Array([0xff, 0xfe, ...le(pd('a'))]), { config: QEMU });
    expect(withBom.diagnostics.map((d) => [d.code, d.message, d.reference])).toEqual([['encoding_utf16', 'the file is UTF-16 (little-endian, with a byte-order mark), not UTF-8', READ_TO_STRING_PANIC]]);
    const bare = checkSystemBytes('u.system', le(pd('a')), { config: QEMU });
    expect(bare.diagnostics.map((d) => [d.code, d.reference])).toEqual([['encoding_utf16', "Could not parse 'u.system': invalid name token at 1:2"]]);
  });

  it('the XML declaration: a declared non-UTF-8 encoding and bad values are warnings, as roxmltree (the reference) accepts the file', () => {
    const check = (d: string) => checkSystemSource('f.system', `<?xml ${d}?>\n${pd('a')}`, { config: QEMU, lookupFile: () => ({ found: true, bytes: new Uint8Array(1) }) });
    const decl = (d: string) => check(d).diagnostics.map((x) => x.code);
    for (const d of ['version="1.0" encoding="latin1"', 'version="1.0" standalone="maybe"', 'version="2.0"']) {
      const r = check(d);
      expect(r.ok, d).toBe(true);
      expect(r.diagnostics.map((x) => x.severity)).toEqual(['warning']);
    }
    expect(decl('version="1.0" encoding="UTF-8" standalone="yes"')).toEqual([]);
    expect(decl('version="1.0" encoding="utf8"')).toEqual([]);
    expect(decl('version="1.0" encoding="US-ASCII"')).toEqual([]);
    expect(decl('version="1.0" encoding="latin1"')).toEqual(['encoding_declared_not_utf8']);
    expect(decl('version="1.0" standalone="maybe"')).toEqual(['xml_declaration_invalid']);
    expect(decl('version="2.0"')).toEqual(['xml_declaration_invalid']);
    expect(decl('version="1.0" encoding="8bit"')).toEqual(['xml_declaration_invalid']);
  });

  it('an unclosed element: the reference message where roxmltree stops, and a note at the start tag left open', () => {
    const text = '<system>\n    <protection_domain name="a">\n        <program_image path="a.elf">\n    </protection_domain>\n</system>\n';
    const [d] = checkSystemSource('f.system', text, { config: QEMU }).diagnostics;
    expect(d).toMatchObject({
      code: 'xml_element_unclosed',
      message: '<program_image> is not closed before this end tag',
      reference: "Could not parse 'f.system': expected 'program_image' tag, not 'protection_domain' at 4:5",
    });
    expect(d!.notes.map((n) => [n.message, n.file!.locate(n.span!.start)])).toEqual([['<program_image> is opened here', { line: 3, column: 10 }]]);
    const [end] = checkSystemSource('f.system', '<system>\n  <protection_domain name="a">\n', { config: QEMU }).diagnostics;
    expect(end).toMatchObject({ code: 'xml_element_unclosed', message: 'the file ends while <protection_domain> is still open', reference: "Could not parse 'f.system': the root node was opened but never closed" });
  });
});

describe('paths joined as the reference joins them (PathBuf::join: an absolute path wins)', () => {
  it('an absolute program_image path and prefill_path are found as they are', async () => {
    const dir = join(tmp, 'abs');
    mkdirSync(dir);
    copyFileSync(HELLO_ELF, join(dir, 'hello.elf'));
    const fill = join(dir, 'fill.bin');
    writeFileSync(fill, 'data');
    const text = `<system>
    <memory_region name="m" size="0x1000" prefill_path="${fill}" />
    <protection_domain name="hello">
        <program_image path="${join(dir, 'hello.elf')}" />
        <map mr="m" vaddr="0x2000000" perms="r" />
    </protection_domain>
</system>
`;
    // From another directory, with a search path that does not hold them.
    const r = buildSystem('abs.system', text, { searchPaths: [HELLO_DIR] });
    expect(r.ok, buildErrors(r).join('\n')).toBe(true);
  });

  it('a missing file names exactly the places tried', () => {
    const text = (path: string) => `<system><protection_domain name="x"><program_image path="${path}"/></protection_domain></system>`;
    const missing = join(tmp, 'nowhere', 'x.elf');
    const abs = buildSystem('x.system', text(missing), { searchPaths: ['a', 'b'] });
    expect(buildErrors(abs)).toEqual([`program_image_not_found: protection domain 'x': program image '${missing}' not found (looked for '${missing}')`]);
    const rel = buildSystem('x.system', text('x.elf'), { searchPaths: ['a', '.'] });
    expect(buildErrors(rel)).toEqual(["program_image_not_found: protection domain 'x': program image 'x.elf' not found (looked for 'a/x.elf', 'x.elf')"]);
    const prefill = checkSystemSource('p.system', `<system><memory_region name="m" prefill_path="${missing}"/></system>`, { config: QEMU });
    expect(prefill.diagnostics.find((d) => d.code === 'mr_prefill_not_found')?.hint).toBe(`there is no file '${missing}'`);
  });
});
