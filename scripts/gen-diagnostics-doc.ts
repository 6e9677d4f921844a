// Writes docs/diagnostics.md from the diagnostic catalog.
import { writeFileSync } from 'node:fs';
import { diagnosticsDoc } from '../src/diagnostics/catalog-doc.js';

writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), diagnosticsDoc());
