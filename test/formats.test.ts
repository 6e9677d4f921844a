import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBoard } from '../src/abi/boards.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { position } from '../src/diagnostics/render.js';
import { systemToJson } from '../src/parser/model-json.js';
import { expectGolden } from './helpers/golden.js';

const DIR = join(import.meta.dirname, 'fixtures', 'formats');
const CONFIG = findBoard('qemu_virt_aarch64')!.config;
const check = (name: string, text = readFileSync(join(DIR, name), 'utf8')) => checkSystemSource(name, text, { config: CONFIG, lookupFile: () => ({ found: false }) });

describe('XML, YAML and JSON describe the same system', () => {
  it('the three forms of ping-pong give the same model', async () => {
    const [xml, yaml, json] = ['ping-pong.system', 'ping-pong.yaml', 'ping-pong.json'].map((n) => check(n));
    for (const r of [xml, yaml, json]) expect(r!.diagnostics).toEqual([]);
    const model = systemToJson(xml!.system!);
    expect(systemToJson(yaml!.system!)).toEqual(model);
    expect(systemToJson(json!.system!)).toEqual(model);
    expectGolden(`${JSON.stringify(model, null, 2)}\n`, 'golden/ping-pong.model.json', import.meta.filename);
  });

  it('SDF rules point into the YAML source', () => {
    const text = readFileSync(join(DIR, 'ping-pong.yaml'), 'utf8').replace('priority: 200', 'priority: 50');
    const r = check('ping-pong.yaml', text);
    expect(r.diagnostics.map((d) => [d.code, position(d.file, d.span).line])).toEqual([['channel_ppc_priority', 41]]);
  });

  it('schema errors point at the key or value at fault, with a suggestion', () => {
    const text = readFileSync(join(DIR, 'ping-pong.yaml'), 'utf8').replace('passive: true', 'pasive: true').replace('perms: r }', 'perms: q }');
    const r = check('ping-pong.yaml', text);
    const got = r.diagnostics.map((d) => ({ code: d.code, line: position(d.file, d.span).line, hint: d.hint }));
    expect(got).toEqual([
      { code: 'schema_violation', line: 35, hint: "did you mean 'passive'?" },
      { code: 'schema_violation', line: 39, hint: undefined },
    ]);
  });

  it('JSON syntax errors name the line and column', () => {
    const r = check('x.json', '{\n  "protection_domains": [\n}');
    expect(r.diagnostics[0]!.code).toBe('json_syntax');
    expect(position(r.diagnostics[0]!.file, r.diagnostics[0]!.span).line).toBe(3);
  });
});

describe('YAML anchors and aliases', () => {
  it('an alias stands for its anchor; a dangling alias is an error at the alias', () => {
    const yaml = (alias: string) =>
      `memory_regions:\n  - { name: buf, size: 0x1000 }\nprotection_domains:\n  - name: a\n    program_image: a.elf\n    maps: [&m { mr: buf, vaddr: 0x1000000 }]\n  - { name: b, program_image: b.elf, maps: [${alias}] }\n`;
    const ok = check('a.yaml', yaml('*m'));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.system!.protectionDomains[1]!.maps[0]!.vaddr).toBe(0x1000000n);
    const bad = check('a.yaml', yaml('*x'));
    expect(bad.diagnostics.map((d) => [d.code, position(d.file, d.span).line, position(d.file, d.span).column])).toEqual([['yaml_syntax', 7, 45]]);
  });
});
