/**
 * The process's standard output as `run` uses it: the guest console's bytes, written raw
 * (a UTF-8 sequence the guest prints arrives as those bytes, not re-encoded), and buffered so
 * that a chatty guest costs one write per line on a terminal and one per 16 KiB (or per turn of
 * the event loop) into a file or a pipe, not one per byte.
 *
 * Order is kept: text written through `text` (reports, messages) and anything written to
 * standard error first flushes the bytes before it.
 */

/** What BufferedStdout needs of a stream: `process.stdout`, or a test's stand-in. */
export interface ByteSink {
  write(chunk: Uint8Array | string): unknown;
  readonly isTTY?: boolean;
}

const CAPACITY = 16 * 1024;

export class BufferedStdout {
  private readonly buf = new Uint8Array(CAPACITY);
  private n = 0;
  private scheduled = false;

  constructor(
    private readonly sink: ByteSink,
    /** How a partial line is flushed later: setImmediate in the process; tests pass their own. */
    private readonly later: (flush: () => void) => void = (f) => void setImmediate(f),
  ) {}

  byte(b: number): void {
    if (this.n === CAPACITY) this.flush();
    this.buf[this.n++] = b;
    this.written(b === 10);
  }

  bytes(chunk: Uint8Array): void {
    if (chunk.length > CAPACITY - this.n) {
      this.flush();
      if (chunk.length > CAPACITY) {
        this.sink.write(chunk.slice());
        return;
      }
    }
    this.buf.set(chunk, this.n);
    this.n += chunk.length;
    this.written(chunk.includes(10));
  }

  /** After bytes went into the buffer: a terminal sees each line as it ends; a file or pipe gets whole buffers. */
  private written(newline: boolean): void {
    if (newline && this.sink.isTTY === true) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.later(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  text(t: string): void {
    this.flush();
    this.sink.write(t);
  }

  flush(): void {
    if (this.n === 0) return;
    // A copy: the stream may hold the chunk after write returns.
    this.sink.write(this.buf.slice(0, this.n));
    this.n = 0;
  }
}
