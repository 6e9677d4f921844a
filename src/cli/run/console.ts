import type { Io } from '../io.js';

/**
 * The console as `run` sees it: each byte the UART transmits goes to stdout, is counted,
 * kept when --expect needs it, and watched for --until's text.
 */
export class ConsoleWatch {
  /** Bytes transmitted so far. */
  count = 0;
  untilSeen = false;
  private kept = new Uint8Array(0);
  private tail = '';

  constructor(
    private readonly io: Io,
    private readonly until: string | undefined,
    private readonly keep: boolean,
    /** Called once, when --until's text has appeared. */
    private readonly onUntil: () => void,
  ) {}

  byte(b: number): void {
    const c = String.fromCharCode(b);
    if (this.io.stdoutByte) this.io.stdoutByte(b);
    else this.io.stdout(c);
    if (this.keep) {
      if (this.count === this.kept.length) {
        const grown = new Uint8Array(Math.max(4096, this.kept.length * 2));
        grown.set(this.kept);
        this.kept = grown;
      }
      this.kept[this.count] = b;
    }
    this.count++;
    if (this.until !== undefined && !this.untilSeen) {
      // Enough of the end of the output to hold the text however it arrived.
      this.tail = (this.tail + c).slice(-Math.max(1, this.until.length) * 2);
      if (this.tail.includes(this.until)) {
        this.untilSeen = true;
        this.onUntil();
      }
    }
  }

  /** What was transmitted (kept only when asked for). */
  get output(): Uint8Array {
    return this.kept.subarray(0, this.count);
  }
}
