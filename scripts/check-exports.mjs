#!/usr/bin/env node
// Part of `npm run lint`: every export must be imported somewhere. An export only its own file
// uses loses the `export`; one nobody uses is removed. Exported types may stay when their own
// file uses them (they name the parameters and results of exported functions). Test files,
// scripts and the SDK's tools are entry points: their own exports need no importer.
// Parse-only (TypeScript's parser, no type check), so it takes about a second.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ROOTS = ['src', 'test', 'scripts', 'sdk', 'playground'];
const isEntry = (file) => /\.test\.ts$/.test(file) || file.startsWith('scripts/') || file.startsWith('sdk/');

function* sourceFiles(dir) {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') yield* sourceFiles(path);
    } else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield path;
  }
}

/** The repository-relative file a relative module specifier names, or undefined. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`]) if (existsSync(join(ROOT, candidate))) return candidate;
  return undefined;
}

const files = ROOTS.filter((d) => existsSync(join(ROOT, d))).flatMap((d) => [...sourceFiles(d)]);
/** file → name → { line, isType, usedInFile } */
const exportsOf = new Map();
/** file → names imported from it by other files ('*' for all). */
const used = new Map();
const use = (file, name) => {
  if (file === undefined) return;
  if (!used.has(file)) used.set(file, new Set());
  used.get(file).add(name);
};

for (const file of files) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const mine = new Map();
  const identifierCount = new Map();
  const hasExport = (node) => ts.getModifiers?.(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
  const declare = (nameNode, isType) => mine.set(nameNode.text, { line: sf.getLineAndCharacterOfPosition(nameNode.getStart()).line + 1, isType });

  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && hasExport(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) declare(d.name, false);
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && hasExport(st) && st.name) {
      declare(st.name, false);
    } else if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && hasExport(st)) {
      declare(st.name, true);
    } else if (ts.isExportDeclaration(st)) {
      const target = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? resolveSpecifier(file, st.moduleSpecifier.text) : undefined;
      if (!st.exportClause)
        use(target, '*'); // export * from
      else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          if (st.moduleSpecifier) use(target, (el.propertyName ?? el.name).text);
          declare(el.name, st.isTypeOnly || el.isTypeOnly);
        }
      }
    }
  }

  // Imports, namespace member accesses, import('…') types and dynamic imports.
  const namespaces = new Map();
  const visit = (node) => {
    if (ts.isIdentifier(node)) identifierCount.set(node.text, (identifierCount.get(node.text) ?? 0) + 1);
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = resolveSpecifier(file, node.moduleSpecifier.text);
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) use(target, (el.propertyName ?? el.name).text);
      else if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, target);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const target = resolveSpecifier(file, node.argument.literal.text);
      use(target, node.qualifier && ts.isIdentifier(node.qualifier) ? node.qualifier.text : '*');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const target = resolveSpecifier(file, node.arguments[0].text);
      // `const { a, b } = await import('./x.js')` uses a and b; anything else, everything.
      const decl = ts.isAwaitExpression(node.parent) ? node.parent.parent : undefined;
      if (decl && ts.isVariableDeclaration(decl) && ts.isObjectBindingPattern(decl.name)) {
        for (const el of decl.name.elements) use(target, (el.propertyName ?? el.name).getText(sf));
      } else use(target, '*');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const [ns, target] of namespaces) {
    let whole = false;
    const members = (node) => {
      if (ts.isIdentifier(node) && node.text === ns && !ts.isNamespaceImport(node.parent)) {
        if (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node) use(target, node.parent.name.text);
        else if (ts.isQualifiedName(node.parent) && node.parent.left === node) use(target, node.parent.right.text);
        else whole = true;
      }
      ts.forEachChild(node, members);
    };
    members(sf);
    if (whole) use(target, '*');
  }
  for (const [name, e] of mine) e.usedInFile = (identifierCount.get(name) ?? 0) > 1;
  exportsOf.set(file, mine);
}

const problems = [];
for (const [file, mine] of exportsOf) {
  if (isEntry(file)) continue;
  const importers = used.get(file) ?? new Set();
  if (importers.has('*')) continue;
  for (const [name, e] of mine) {
    if (importers.has(name) || (e.isType && e.usedInFile)) continue;
    problems.push(`${relative(ROOT, join(ROOT, file))}:${e.line}: '${name}' is exported but no other file imports it (${e.usedInFile ? 'drop the export' : 'nothing uses it: remove it'})`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`${problems.length} unused export${problems.length === 1 ? '' : 's'}`);
  process.exit(1);
}
