import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBoard } from '../src/abi/boards.js';
import { checkSystemSource, type InputFormat } from '../src/compiler/check.js';
import { FIXTURE_DIR } from './helpers/fixtures.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';
import { rng } from './helpers/rng.js';
import { oracle } from './helpers/oracles.js';

/**
 * Property: whatever the input, checking never throws, always returns diagnostics with valid
 * spans, gives at least one error when it says the input is invalid, and finishes in time.
 * The seed is fixed for reproducible runs; CI passes a fresh one in SEL4TS_FUZZ_SEED.
 */

const SEED = Number(process.env.SEL4TS_FUZZ_SEED ?? 0x5e14);
/** Mutated descriptions per run; raise it (SEL4TS_FUZZ_ROUNDS) for a long local soak. */
const ROUNDS = Number(process.env.SEL4TS_FUZZ_ROUNDS ?? 3000);
const CONFIG = findBoard('qemu_virt_aarch64')!.config;
const NO_FILES = () => ({ found: false }) as const;

const SPICE = [
  '<',
  '>',
  '"',
  "'",
  '&',
  '&amp;',
  '&#0;',
  '/>',
  '</',
  '=',
  '\u0000',
  '\uD800',
  '😀',
  '\r\n',
  ' ',
  '_',
  '0x',
  '-1',
  '99999999999999999999',
  'protection_domain',
  'channel',
  '<end pd="a" id="1"/>',
  '<!--',
  ']]>',
  '<![CDATA[x]]>',
  ':',
  'xmlns:p="u"',
  'p:',
];

function mutate(text: string, r: () => number): string {
  const pick = (n: number) => Math.floor(r() * n);
  let s = text;
  const rounds = 1 + pick(4);
  for (let i = 0; i < rounds; i++) {
    const at = pick(s.length + 1);
    switch (pick(6)) {
      case 0:
        s = s.slice(0, at); // truncate
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + pick(40)); // delete a range
        break;
      case 2: {
        const len = pick(80);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at); // duplicate a range
        break;
      }
      case 3:
        s = s.slice(0, at) + SPICE[pick(SPICE.length)]! + s.slice(at + pick(3));
        break;
      case 4:
        s = s.slice(0, at) + String.fromCharCode(pick(0x80)) + s.slice(at + 1);
        break;
      default: {
        // Move a random slice elsewhere: reorders elements and attributes.
        const from = pick(s.length);
        const piece = s.slice(from, from + pick(120));
        s = s.slice(0, at) + piece + s.slice(at);
      }
    }
  }
  return s;
}

function checkInvariants(name: string, text: string, format?: InputFormat): void {
  const t0 = performance.now();
  let result: ReturnType<typeof checkSystemSource>;
  try {
    result = checkSystemSource(name, text, { config: CONFIG, lookupFile: NO_FILES, ...(format ? { format } : {}) });
  } catch (e) {
    throw new Error(`seed ${SEED}: ${name} threw: ${(e as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
  }
  const ms = performance.now() - t0;
  expect(ms, `seed ${SEED}: ${name} took ${ms.toFixed(0)} ms`).toBeLessThan(5000);
  expect(Array.isArray(result.diagnostics)).toBe(true);
  if (!result.ok) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  for (const d of result.diagnostics) {
    expect(d.span, `seed ${SEED}: ${name}: ${d.code} without a span`).toBeDefined();
    expect(d.span!.start).toBeGreaterThanOrEqual(0);
    expect(d.span!.end).toBeLessThanOrEqual(text.length + 1);
  }
}

function seeds(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const f of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.system'))) {
    out.push({ name: f, text: readFileSync(join(FIXTURE_DIR, f), 'utf8') });
  }
  if (oracle('../shared', HAVE_SHARED, 'fuzz seeds from the corpus')) {
    const dir = join(SHARED_DIR, 'corpus');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.system'))) out.push({ name: f, text: readFileSync(join(dir, f), 'utf8') });
  }
  return out;
}

describe(`checking never crashes or hangs (seed ${SEED})`, () => {
  it('on mutated and truncated system descriptions', () => {
    const r = rng(SEED);
    const inputs = seeds();
    for (let i = 0; i < ROUNDS; i++) {
      const base = inputs[Math.floor(r() * inputs.length)]!;
      checkInvariants(`${base.name}#${i}`, mutate(base.text, r));
    }
  });

  it('on random bytes, as XML, YAML and JSON', () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < 600; i++) {
      const len = Math.floor(r() * 300);
      let s = '';
      for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(r() * (r() < 0.9 ? 0x80 : 0x10000)));
      const format = (['xml', 'yaml', 'json'] as const)[i % 3];
      checkInvariants(`random#${i}.${format}`, s, format);
    }
  });

  it('on mutated YAML and JSON descriptions', () => {
    const r = rng(SEED + 2);
    const yaml = readFileSync(join(FIXTURE_DIR, '..', 'formats', 'ping-pong.yaml'), 'utf8');
    const json = readFileSync(join(FIXTURE_DIR, '..', 'formats', 'ping-pong.json'), 'utf8');
    for (let i = 0; i < 500; i++) {
      checkInvariants(`yaml#${i}.yaml`, mutate(yaml, r), 'yaml');
      checkInvariants(`json#${i}.json`, mutate(json, r), 'json');
    }
  });

  it('on deeply nested elements', () => {
    const deep = `<system>${'<protection_domain name="a" id="1">'.repeat(5000)}${'</protection_domain>'.repeat(5000)}</system>`;
    checkInvariants('deep.system', deep);
    const r = checkSystemSource('deep.system', deep, { config: CONFIG, lookupFile: NO_FILES });
    expect(r.diagnostics[0]!.code).toBe('xml_syntax');
    const nested = `<system>${'<protection_domain name="p" id="1"><program_image path="p"/>'.repeat(500)}${'</protection_domain>'.repeat(500)}</system>`;
    checkInvariants('nested-pds.system', nested);
    checkInvariants('deep.yaml', `a:\n${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i + 1)}- [`).join('\n')}`, 'yaml');
    checkInvariants('deep.json', '['.repeat(20000) + ']'.repeat(20000), 'json');
  });

  it('on huge inputs', () => {
    const mrs = Array.from({ length: 20000 }, (_, i) => `<memory_region name="m${i}" size="0x1000" phys_addr="0x${(0x10000000 + i * 0x1000).toString(16)}"/>`);
    const pds = Array.from(
      { length: 63 },
      (_, i) => `<protection_domain name="p${i}" priority="${i}"><program_image path="p"/>${Array.from({ length: 40 }, (_, j) => `<map mr="m${i * 40 + j}" vaddr="0x${(0x1000000 + j * 0x1000).toString(16)}"/>`).join('')}</protection_domain>`,
    );
    checkInvariants('huge.system', `<system>${pds.join('')}${mrs.join('')}</system>`);
    checkInvariants('long-attribute.system', `<system><protection_domain name="${'a'.repeat(1_000_000)}"/></system>`);
  });
});
