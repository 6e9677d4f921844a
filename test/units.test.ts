import { describe, expect, it } from 'vitest';
import { SourceFile } from '../src/diagnostics/source-file.js';
import { formatPci, parseDecimal, parsePciAddress, parseSdfNumber } from '../src/parser/numbers.js';
import { readXml } from '../src/parser/xml-reader.js';
import { DisjointIntervals } from '../src/util/intervals.js';

const num = (s: string) => {
  const r = parseSdfNumber(s);
  return r.ok ? r.value : r.reason;
};

describe('SDF numbers (sdf.md §2.3)', () => {
  it('parse decimal and lowercase-0x hexadecimal, ignoring _ anywhere', () => {
    expect(num('4096')).toBe(4096n);
    expect(num('0x200_000')).toBe(0x200000n);
    expect(num('0_x10')).toBe(16n);
    expect(num('+5')).toBe(5n);
    expect(num('0x+1f')).toBe(31n);
    expect(num('0xFFFF_ffff_FFFF_ffff')).toBe((1n << 64n) - 1n);
  });
  it("fail with Rust's messages", () => {
    expect(num('')).toBe('cannot parse integer from empty string');
    expect(num('0x')).toBe('cannot parse integer from empty string');
    expect(num('_')).toBe('cannot parse integer from empty string');
    expect(num('-1')).toBe('invalid digit found in string');
    expect(num('0X10')).toBe('invalid digit found in string');
    expect(num(' 1')).toBe('invalid digit found in string');
    expect(num('+')).toBe('invalid digit found in string');
    expect(num('18446744073709551616')).toBe('number too large to fit in target type');
    expect(num('99999999999999999999x')).toBe('number too large to fit in target type');
  });
  it('plain decimals accept a sign where Rust does', () => {
    expect(parseDecimal('-1', true)).toEqual({ ok: true, value: -1n });
    expect(parseDecimal('-1', false)).toEqual({ ok: false, reason: 'invalid digit found in string' });
    expect(parseDecimal('0x1', true).ok).toBe(false);
    expect(parseDecimal('-9223372036854775809', true)).toEqual({ ok: false, reason: 'number too small to fit in target type' });
  });
  it('PCI addresses are hex parts, range-checked', () => {
    expect(parsePciAddress('0:1f.7')).toEqual({ ok: true, bus: 0, device: 31, function: 7 });
    expect(parsePciAddress(' 00 : 04 . 0')).toEqual({ ok: true, bus: 0, device: 4, function: 0 });
    expect(parsePciAddress('0:32.0')).toEqual({ ok: false, reason: 'PCI device must be within [0..31]' });
    expect(parsePciAddress('0:0:0')).toEqual({ ok: false, reason: 'expected PCI address in bus:device.function form' });
    expect(parsePciAddress('-1:0.0')).toEqual({ ok: false, reason: 'PCI bus must be within [0..255]' });
    expect(parsePciAddress('g:0.0')).toEqual({ ok: false, reason: 'failed to parse PCI bus' });
    expect(formatPci({ bus: 0, device: 3, function: 0 })).toBe('00:03.0');
  });
});

describe('XML reader', () => {
  const read = (t: string) => readXml(new SourceFile('t.xml', t));
  const error = (t: string) => {
    const r = read(t);
    return r.ok ? undefined : r.error.message;
  };
  it('keeps spans of elements, attribute names and values', () => {
    const text = '<system>\n  <pd name="a&amp;b"\tx=\'1\'/>\n</system>';
    const r = read(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const pd = r.root.children.find((c) => c.kind === 'element');
    if (pd?.kind !== 'element') throw new Error('no element');
    expect(text.slice(pd.span.start, pd.span.end)).toBe('<pd name="a&amp;b"\tx=\'1\'/>');
    const [name, x] = pd.attributes;
    expect(name!.value).toBe('a&b');
    expect(text.slice(name!.nameSpan.start, name!.nameSpan.end)).toBe('name');
    expect(text.slice(name!.valueSpan.start, name!.valueSpan.end)).toBe('a&amp;b');
    expect(x!.value).toBe('1');
  });
  it('normalises whitespace in attribute values', () => {
    const r = read('<s a="x\ty\r\nz"/>');
    expect(r.ok && r.root.attributes[0]!.value).toBe('x y z');
  });
  // Each text checked against roxmltree 0.19 itself (the version Microkit's Cargo.lock pins).
  it('rejects what roxmltree rejects, with its wording', () => {
    expect(error('<a><b></a>')).toBe("expected 'b' tag, not 'a' at 1:7");
    expect(error('<a>')).toBe('the root node was opened but never closed');
    expect(error('')).toBe('the document does not have a root node');
    expect(error('<a/><b/>')).toBe('unknown token at 1:5');
    expect(error('<a x="<"/>')).toBe("expected '\"' not '<' at 1:7");
    expect(error('<a>&#0;</a>')).toBe('malformed entity reference at 1:4');
    expect(error('<p:a/>')).toBe("an unknown namespace prefix 'p' at 1:2");
    expect(error('<a>\u0001</a>')).toBe("a non-XML character '\\u{1}' found at 1:4");
    expect(error('<a><!-- x -- y --></a>')).toBe("comment at 1:4 contains '--'");
    expect(error('<a><?xml version="1.0"?></a>')).toBe('unexpected XML declaration at 1:4');
    expect(error('<a>]]></a>')).toBe("']]>' at 1:7 is not allowed inside a character data");
    expect(error('<a b=1/>')).toBe("expected a quote not '1' at 1:6");
    expect(error('<a b="1"c="2"/>')).toBe("expected a whitespace not 'c' at 1:9");
    expect(error('<a><!--x')).toBe("expected '-->' at 1:9");
    expect(error('<a b')).toBe('unexpected end of stream');
    expect(error('<a')).toBe('the document does not have a root node');
    expect(error('<a><b')).toBe('the root node was opened but never closed');
    expect(error('<a xmlns:xml="u"/>')).toBe("'xml' namespace prefix mapped to wrong URI at 1:4");
    expect(error('<a>\u0000</a>')).toBe("a non-XML character '\\0' found at 1:4");
  });

  it('checks the XML declaration as roxmltree does: its grammar, not its values', () => {
    expect(error('<?xml version=1.0?><a/>')).toBe("expected a quote not '1' at 1:15");
    expect(error('<?xml versio="1.0"?><a/>')).toBe("expected 'version' at 1:7");
    expect(error('<?xml version="1.0"encoding="x"?><a/>')).toBe("expected a whitespace not 'e' at 1:20");
    expect(error('<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>')).toBe("expected '?>' at 1:38");
    const r = read('<?xml version="2.0" encoding="latin1" standalone="maybe"?><a/>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.declaration?.version.value, r.declaration?.encoding?.value, r.declaration?.standalone?.value]).toEqual(['2.0', 'latin1', 'maybe']);
    // Only `<?xml` and a space is a declaration; `<?XML …?>` is a processing instruction.
    expect(read('<?XML version="1.0"?><a/>').ok).toBe(true);
  });

  it('says which element was left open', () => {
    const inner = read('<a>\n  <b>\n</a>');
    expect(inner.ok ? undefined : inner.error).toMatchObject({ message: "expected 'b' tag, not 'a' at 3:1", unclosed: { name: 'b', nameSpan: { start: 7, end: 8 } } });
    const atEnd = read('<a>\n  <b/>\n');
    expect(atEnd.ok ? undefined : atEnd.error).toMatchObject({ message: 'the root node was opened but never closed', unclosed: { name: 'a' } });
    const typo = read('<a></b>');
    expect(typo.ok ? undefined : typo.error).toMatchObject({ open: { name: 'a' } });
    expect(typo.ok || typo.error.unclosed).toBeUndefined();
  });

  it('keeps characters from references as they are, and joins text with CDATA', () => {
    const r = read('<a b="x&#10;y\tz">t<![CDATA[c]]>&#13;</a>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.root.attributes[0]!.value).toBe('x\ny z');
    expect(r.root.children).toMatchObject([{ kind: 'text', text: 'tc\r' }]);
  });
  it('accepts comments, processing instructions, CDATA and declared prefixes', () => {
    const r = read('<?xml version="1.0"?>\n<!-- c --><?pi x?><p:s xmlns:p="u" p:a="1"><![CDATA[<x>]]></p:s>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.root.tag).toBe('s');
    expect(r.root.attributes.map((a) => [a.namespaced, a.name])).toEqual([[true, 'a']]);
    expect(r.root.children).toMatchObject([{ kind: 'text', text: '<x>' }]);
  });
});

describe('source positions', () => {
  it('count scalar values and skip CR', () => {
    const f = new SourceFile('f', 'ab\r\n😀x\nz');
    expect(f.locate(6)).toEqual({ line: 2, column: 2 });
    expect(f.locate(8)).toEqual({ line: 3, column: 1 });
    expect(f.lineText(1)).toBe('ab');
  });
});

describe('disjoint intervals', () => {
  it('find every overlap, first-added first', () => {
    const s = new DisjointIntervals<string>();
    s.add(10n, 20n, 'b');
    s.add(0n, 5n, 'a');
    s.add(30n, 40n, 'c');
    expect(s.overlapping(5n, 10n)).toEqual([]);
    expect(s.overlapping(0n, 100n)).toEqual(['b', 'a', 'c']);
    expect(s.overlapping(19n, 31n)).toEqual(['b', 'c']);
    expect(s.overlapping(4n, 4n)).toEqual([]);
  });
});

describe('the generated system at the limits (used by the benchmarks)', () => {
  it('is valid and uses every channel id of every PD', async () => {
    const { generateSystem } = await import('../scripts/generate-system.js');
    const { checkSystemSource } = await import('../src/compiler/check.js');
    const { findBoard } = await import('../src/abi/boards.js');
    for (const n of [1, 8, 32, 63]) {
      const r = checkSystemSource(`g${n}.system`, generateSystem(n), { config: findBoard('qemu_virt_aarch64')!.config });
      expect(r.diagnostics).toEqual([]);
      for (const pd of r.system!.allProtectionDomains) {
        const ids = r.system!.channels.flatMap((c) => c.ends.filter((e) => e.pd === pd.name).map((e) => Number(e.id)));
        expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 62 }, (_, i) => i));
      }
    }
    const r = checkSystemSource('g64.system', generateSystem(64), { config: findBoard('qemu_virt_aarch64')!.config });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['system_too_many_protection_domains']);
  });
});
