/**
 * A unified diff of two texts, line by line, as `diff -u` prints it: `---`/`+++` headers,
 * `@@ -l,s +l,s @@` hunks with three lines of context, and `\ No newline at end of file`
 * after a last line without one. The edit script is Myers' shortest one ("An O(ND)
 * Difference Algorithm and Its Variations", 1986), computed between the common prefix and
 * suffix; past MAX_EDITS edits it gives up on minimality and replaces the whole middle.
 */

const CONTEXT = 3;
/** Edits beyond which the search stops (its memory grows with the square of the edits). */
const MAX_EDITS = 2000;

type Kind = ' ' | '-' | '+';

interface Op {
  kind: Kind;
  line: string;
  /** Lines of the old (a) and new (b) text before this one. */
  a: number;
  b: number;
}

/** The lines of a text, each with its '\n' (the last one may have none). */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/** The unified diff from `a` to `b`, or '' when they are equal. */
export function unifiedDiff(a: string, b: string, aName: string, bName: string): string {
  if (a === b) return '';
  const ops = editScript(splitLines(a), splitLines(b));
  let out = `--- ${aName}\n+++ ${bName}\n`;
  for (const hunk of hunks(ops)) {
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out += `@@ -${range(hunk[0]!.a, aCount)} +${range(hunk[0]!.b, bCount)} @@\n`;
    for (const o of hunk) {
      out += o.kind + (o.line.endsWith('\n') ? o.line : `${o.line}\n\\ No newline at end of file\n`);
    }
  }
  return out;
}

/** GNU diff's ranges: "l,s", "l" when s is 1, and for an empty range the line before it. */
function range(before: number, count: number): string {
  if (count === 0) return `${before},0`;
  return count === 1 ? `${before + 1}` : `${before + 1},${count}`;
}

function editScript(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const aMid = a.slice(prefix, a.length - suffix);
  const bMid = b.slice(prefix, b.length - suffix);
  const middle = myers(aMid, bMid) ?? [...aMid.map((line) => ({ kind: '-' as const, line })), ...bMid.map((line) => ({ kind: '+' as const, line }))];
  const ops: Op[] = [];
  let ai = 0;
  let bi = 0;
  const push = (kind: Kind, line: string) => {
    ops.push({ kind, line, a: ai, b: bi });
    if (kind !== '+') ai++;
    if (kind !== '-') bi++;
  };
  for (let i = 0; i < prefix; i++) push(' ', a[i]!);
  for (const o of middle) push(o.kind, o.line);
  for (let i = a.length - suffix; i < a.length; i++) push(' ', a[i]!);
  return ops;
}

/** Myers' greedy forward search with its V arrays kept for the walk back; undefined past MAX_EDITS. */
function myers(a: string[], b: string[]): { kind: Kind; line: string }[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v[offset-d-1 .. offset+d+1] as it was before step d.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, MAX_EDITS) && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return undefined;
  const reversed: { kind: Kind; line: string }[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d]!;
    const at = (k: number) => before[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      reversed.push({ kind: ' ', line: a[--x]! });
    }
    if (x === prevX) reversed.push({ kind: '+', line: b[--y]! });
    else reversed.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0) reversed.push({ kind: ' ', line: a[--x]! });
  return reversed.reverse();
}

/** Groups of changes with up to CONTEXT lines around them; changes closer than 2 × CONTEXT share a hunk. */
function hunks(ops: Op[]): Op[][] {
  const out: Op[][] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    let end = i;
    let j = i;
    while (j < ops.length) {
      if (ops[j]!.kind !== ' ') {
        end = ++j;
        continue;
      }
      let k = j;
      while (k < ops.length && ops[k]!.kind === ' ') k++;
      if (k === ops.length || k - j > 2 * CONTEXT) break;
      j = k;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    out.push(ops.slice(Math.max(0, i - CONTEXT), stop));
    i = stop;
  }
  return out;
}
