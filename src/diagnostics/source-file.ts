/**
 * A source text with lazy line/column lookup.
 *
 * Offsets are UTF-16 indices into `text` (what JavaScript strings use). Lines and columns are
 * 1-based and columns count Unicode scalar values, the way the reference Microkit tool (Rust
 * `chars()`) counts them, so a `file:row:col` we print names the same place the reference would.
 */
export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    /** The path exactly as the user gave it; it appears verbatim in messages. */
    readonly name: string,
    readonly text: string,
  ) {}

  /** 1-based line and column (in Unicode scalar values) of a UTF-16 offset. */
  locate(offset: number): { line: number; column: number } {
    const starts = this.getLineStarts();
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = starts[lo]!;
    if (!this.lineHasSurrogates(lo, lineStart)) return { line: lo + 1, column: o - lineStart + 1 };
    let column = 1;
    for (let i = lineStart; i < o; i++) {
      const c = this.text.charCodeAt(i);
      // A surrogate pair is one scalar value: count its high half only.
      if (c < 0xdc00 || c > 0xdfff || i === lineStart) column++;
    }
    return { line: lo + 1, column };
  }

  private surrogateLines: Map<number, boolean> | undefined;

  /** Whether a line has astral characters (so UTF-16 offsets and columns differ). */
  private lineHasSurrogates(index: number, lineStart: number): boolean {
    this.surrogateLines ??= new Map();
    let has = this.surrogateLines.get(index);
    if (has === undefined) {
      const starts = this.getLineStarts();
      const end = index + 1 < starts.length ? starts[index + 1]! : this.text.length;
      has = /[\uD800-\uDFFF]/.test(this.text.slice(lineStart, end));
      this.surrogateLines.set(index, has);
    }
    return has;
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const starts = this.getLineStarts();
    const start = starts[line - 1];
    if (start === undefined) return '';
    let end = line < starts.length ? starts[line]! - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  get lineCount(): number {
    return this.getLineStarts().length;
  }

  private getLineStarts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const t = this.text;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
    return starts;
  }
}

/** A half-open range of UTF-16 offsets `[start, end)` in one SourceFile. */
export interface Span {
  readonly start: number;
  readonly end: number;
}
