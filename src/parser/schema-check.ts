import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import type { Span } from '../diagnostics/source-file.js';
import type { SdfContext } from './sdf/context.js';
import { suggest } from './sdf/suggest.js';
import { isMap, isSeq, yamlLib } from './yaml-lib.js';
import { jsonPointerParts } from '../util/json-pointer.js';

let validator: ValidateFunction | undefined;

/** The JSON Schema validator and schemas/system.schema.json, as the host loads them. */
export interface SchemaLibrary {
  Ajv: typeof import('ajv')['Ajv'];
  schema: unknown;
}
let loadSchemaLibrary: (() => SchemaLibrary) | undefined;

/** How the schema check gets its library: Node requires it (src/cli/node-host.ts), the playground bundles it. */
export function provideSchemaLibrary(load: () => SchemaLibrary): void {
  loadSchemaLibrary = load;
}

function getValidator(): ValidateFunction {
  if (!validator) {
    if (!loadSchemaLibrary) throw new Error('internal error: no schema library was provided (the command line calls installNodeHost from src/cli/node-host.ts)');
    // Loaded on first use (~20 ms), like the YAML library.
    const { Ajv, schema } = loadSchemaLibrary();
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    validator = ajv.compile(schema as object);
  }
  return validator;
}

/** Follow a JSON pointer through the YAML node tree, keeping the last node found. */
function nodeAt(doc: Document, pointer: string): { node: YamlNode | undefined; pair: Pair | undefined } {
  let node = doc.contents as YamlNode | null;
  let pair: Pair | undefined;
  const parts = jsonPointerParts(pointer);
  for (const part of parts) {
    if (isMap(node)) {
      pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === part);
      if (!pair) break;
      node = pair.value as YamlNode | null;
    } else if (isSeq(node)) {
      node = (node.items[Number(part)] as YamlNode | undefined) ?? node;
      pair = undefined;
    } else {
      break;
    }
  }
  return { node: node ?? undefined, pair };
}

function spanOf(node: YamlNode | undefined | null): Span {
  const r = node?.range;
  return r ? { start: r[0], end: Math.max(r[1], r[0] + 1) } : { start: 0, end: 1 };
}

/** `/protection_domains/0/maps/1` → `protection_domains[0].maps[1]`. */
function pointerToPath(pointer: string): string {
  return pointer
    .slice(1)
    .split('/')
    .map((p, i) => (/^[0-9]+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function describe(e: ErrorObject): { message: string; span: (doc: Document) => Span; hint?: string } {
  const where = e.instancePath === '' ? 'the top level' : `'${pointerToPath(e.instancePath)}'`;
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const parentSchema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
    const known = Object.keys(parentSchema?.properties ?? {});
    const guess = suggest(key, known);
    return {
      message: `unknown key '${key}' in ${where}`,
      span: (doc) => {
        const { node } = nodeAt(doc, e.instancePath);
        const pair = isMap(node) ? node.items.find((p) => String((p.key as { value?: unknown }).value) === key) : undefined;
        return spanOf((pair?.key as YamlNode | undefined) ?? node);
      },
      hint: guess ? `did you mean '${guess}'?` : known.length > 0 ? `known keys: ${known.join(', ')}` : undefined,
    } as { message: string; span: (doc: Document) => Span; hint?: string };
  }
  if (e.keyword === 'required') {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    return { message: `missing required key '${key}' in ${where}`, span: (doc) => spanOf(nodeAt(doc, e.instancePath).node) };
  }
  return { message: `${where} ${e.message ?? 'is invalid'}`, span: (doc) => spanOf(nodeAt(doc, e.instancePath).node) };
}

/** Where the first alias (`*name`) is, for errors about aliases. */
function firstAliasSpan(doc: Document): Span {
  let span: Span = { start: 0, end: 1 };
  let found = false;
  yamlLib().visit(doc, {
    Alias(_, node) {
      if (!found && node.range) {
        span = { start: node.range[0], end: Math.max(node.range[1], node.range[0] + 1) };
        found = true;
      }
    },
  });
  return span;
}

/** Check a YAML/JSON document against the schema; report every violation. */
export function checkSchema(ctx: SdfContext, doc: Document): boolean {
  const validate = getValidator();
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias without its anchor, or an alias bomb: the document has no value to check.
    ctx.report('yaml_syntax', `not valid YAML: ${(e as Error).message}`, { span: firstAliasSpan(doc) });
    return false;
  }
  if (validate(value)) return true;
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // oneOf reports every branch's failure; the branch errors already say what is wrong.
  const branchFailures = new Set(errors.filter((e) => e.keyword !== 'oneOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'oneOf' && branchFailures.has(e.instancePath)) continue;
    if (e.keyword === 'if') continue;
    const d = describe(e);
    const key = `${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ctx.report('schema_violation', d.message, { span: d.span(doc), ...(d.hint !== undefined ? { hint: d.hint } : {}) });
  }
  return false;
}
