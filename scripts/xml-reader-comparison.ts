// Measures the project's XML reader against fast-xml-parser (with element offsets) on the
// largest corpus file; the numbers are quoted in docs/architecture.md.
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SourceFile } from '../src/diagnostics/source-file.js';
import { readXml } from '../src/parser/xml-reader.js';

const path = process.argv[2] ?? '../shared/corpus/jordanhubbard__agentos__kernel_agentos-root-task_agentos.system';
const text = readFileSync(path, 'utf8');
function time(name: string, f: () => unknown): void {
  for (let i = 0; i < 20; i++) f();
  const n = 200;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(`${name.padEnd(48)} ${((performance.now() - t0) / n).toFixed(3)} ms`);
}
console.log(`${path}: ${text.length} bytes`);
time('sel4ts readXml (all spans, well-formedness)', () => readXml(new SourceFile('f', text)));
const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: true, captureMetaData: true, allowBooleanAttributes: false });
time('fast-xml-parser parse (preserveOrder, metadata)', () => parser.parse(text));
time('fast-xml-parser validate + parse', () => {
  XMLValidator.validate(text);
  parser.parse(text);
});
