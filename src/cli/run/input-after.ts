import { type InputSource, scriptedInput } from '../../machine/machine.js';
import { TextWatch } from './text-watch.js';

/**
 * `--input-after TEXT`: the UART receives nothing until the console has printed TEXT, then the
 * --input bytes as usual. A script typing at a prompt does this with a real board; here it is
 * deterministic, since the console is a function of virtual time. It matters for drivers that
 * reset their FIFO while starting (the PL011 drops what it holds when UARTLCR_H.FEN changes):
 * input present from the first cycle would lose its first byte to that reset, while a person
 * (or a script on QEMU) types only once the system says it is ready.
 */
export class InputAfter implements InputSource {
  private readonly inner: InputSource;
  private readonly watch: TextWatch;

  constructor(input: Uint8Array | string | InputSource, text: string) {
    this.inner = typeof input === 'string' || input instanceof Uint8Array ? scriptedInput(input) : input;
    this.watch = new TextWatch(text);
    if (text === '') this.watch.seen = true;
  }

  /** True once the text has appeared. */
  get open(): boolean {
    return this.watch.seen;
  }

  /** Each console byte, to watch for the text. */
  byte(b: number): void {
    this.watch.byte(b);
  }

  peek(): number | undefined {
    return this.open ? this.inner.peek() : undefined;
  }

  take(): void {
    this.inner.take();
  }

  /** A live source is waited for only once the text has appeared: before, a system that has
   * gone idle will never print it. */
  get wait(): (() => Promise<void>) | undefined {
    const w = this.inner.wait;
    return this.open && w ? () => w.call(this.inner) : undefined;
  }

  get ended(): boolean | undefined {
    return this.inner.ended;
  }
}
