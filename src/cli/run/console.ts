import type { Io } from '../io.js';
import { TextWatch } from './text-watch.js';

/**
 * The console as `run` sees it: each byte the UART transmits goes to stdout, is counted,
 * kept when --expect needs it, and watched for --until's text.
 */
export class ConsoleWatch {
  /** Bytes transmitted so far. */
  count = 0;
  private kept = new Uint8Array(0);
  private readonly until: TextWatch | undefined;

  constructor(
    private readonly io: Io,
    until: string | undefined,
    private readonly keep: boolean,
    /** Called once, when --until's text has appeared. */
    private readonly onUntil: () => void,
  ) {
    this.until = until === undefined ? undefined : new TextWatch(until);
  }

  get untilSeen(): boolean {
    return this.until?.seen === true;
  }

  byte(b: number): void {
    if (this.io.stdoutByte) this.io.stdoutByte(b);
    else this.io.stdout(String.fromCharCode(b));
    if (this.keep) {
      if (this.count === this.kept.length) {
        const grown = new Uint8Array(Math.max(4096, this.kept.length * 2));
        grown.set(this.kept);
        this.kept = grown;
      }
      this.kept[this.count] = b;
    }
    this.count++;
    if (this.until?.byte(b)) this.onUntil();
  }

  /** What was transmitted (kept only when asked for). */
  get output(): Uint8Array {
    return this.kept.subarray(0, this.count);
  }
}
