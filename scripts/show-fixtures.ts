// Prints what each diagnostic fixture currently yields, to review or fill in `expect:` lines.
import { readdirSync } from 'node:fs';
import { position } from '../src/diagnostics/render.js';
import { checkFixture, FIXTURE_DIR, key } from '../test/helpers/fixtures.js';

for (const name of readdirSync(FIXTURE_DIR).sort()) {
  if (!/\.(system|yaml|json)$/.test(name)) continue;
  const { result } = checkFixture(name);
  const keys = result.diagnostics.map((d) => key({ code: d.code, ...position(d.file, d.span) }));
  console.log(`${name}\t${keys.join(', ')}`);
  for (const d of result.diagnostics) console.log(`    ${d.reference ?? d.message}`);
}
