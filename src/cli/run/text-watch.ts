/**
 * Watches a byte stream (the console) for a text, however the bytes arrive: it keeps only
 * enough of the end of the output to hold the text. `--until` and `--input-after` use it.
 */
export class TextWatch {
  /** True once the text has appeared. */
  seen = false;
  private tail = '';
  private readonly keep: number;

  constructor(private readonly text: string) {
    this.keep = Math.max(1, text.length) * 2;
  }

  /** One more byte of output; true on the byte that completes the text (once). */
  byte(b: number): boolean {
    if (this.seen) return false;
    this.tail = (this.tail + String.fromCharCode(b)).slice(-this.keep);
    this.seen = this.tail.includes(this.text);
    return this.seen;
  }
}
