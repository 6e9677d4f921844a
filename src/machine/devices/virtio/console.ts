import type { InputSource } from '../../machine.js';
import type { VirtioDevice } from './device.js';
import { totalLength, type VirtQueue } from './virtqueue.js';

/**
 * virtio-console (virtio 1.2 §5.3) with one port and no VIRTIO_CONSOLE_F_MULTIPORT: queue 0
 * (receiveq) takes input, queue 1 (transmitq) carries output. QEMU's equivalent is a
 * virtio-serial-device with one virtconsole; it offers MULTIPORT, which a one-port driver
 * does not need.
 */

export const VIRTIO_CONSOLE_QUEUE = { RECEIVE: 0, TRANSMIT: 1 } as const;
/** struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr. */
const CONFIG_SIZE = 12;

export class VirtioConsole implements VirtioDevice {
  readonly name = 'virtio-console';
  readonly deviceId = 3;
  readonly queueCount = 2;
  readonly features = 0n;
  readonly inputQueues = [VIRTIO_CONSOLE_QUEUE.RECEIVE] as const;
  readonly stats = { bytesIn: 0, bytesOut: 0 };

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly input: InputSource | undefined = undefined,
  ) {}

  readConfig(offset: number, size: number): number {
    if (offset + size > CONFIG_SIZE) return 0;
    // cols = rows = 0 (unknown), max_nr_ports = 1.
    return offset === 4 ? 1 : 0;
  }

  writeConfig(): void {
    // emerg_wr needs VIRTIO_CONSOLE_F_EMERG_WRITE, which is not offered.
  }

  reset(): void {}

  hasInput(): boolean {
    return this.input?.peek() !== undefined;
  }

  process(queue: VirtQueue): void {
    if (queue.index === VIRTIO_CONSOLE_QUEUE.TRANSMIT) {
      for (let chain = queue.pop(); chain; chain = queue.pop()) {
        const bytes = queue.gather(chain);
        this.stats.bytesOut += bytes.length;
        this.sink(bytes);
        queue.push(chain, 0);
      }
      return;
    }
    if (queue.index !== VIRTIO_CONSOLE_QUEUE.RECEIVE || !this.input) return;
    // Only take a buffer when there is something to put in it.
    while (this.input.peek() !== undefined) {
      const chain = queue.pop();
      if (!chain) return;
      const room = totalLength(chain.writable);
      const bytes: number[] = [];
      for (let b = this.input.peek(); b !== undefined && bytes.length < room; b = this.input.peek()) {
        bytes.push(b);
        this.input.take();
      }
      const n = queue.scatter(chain, new Uint8Array(bytes));
      this.stats.bytesIn += n;
      queue.push(chain, n);
    }
  }

  counters(): ReadonlyArray<readonly [string, number]> {
    return [
      ['bytes in', this.stats.bytesIn],
      ['bytes out', this.stats.bytesOut],
    ];
  }
}
