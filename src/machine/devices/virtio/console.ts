import type { InputSource } from '../../machine.js';
import { allOnes, bit, VIRTIO_F, type VirtioDevice } from './device.js';
import { totalLength, type VirtQueue } from './virtqueue.js';

/**
 * virtio-console (virtio 1.2 §5.3) with one port and no VIRTIO_CONSOLE_F_MULTIPORT: queue 0
 * (receiveq) takes input, queue 1 (transmitq) carries output; VIRTIO_CONSOLE_F_EMERG_WRITE
 * writes a byte through the configuration space. QEMU's equivalent is a virtio-serial-device
 * with one virtconsole; it also offers MULTIPORT (and so has more queues and max_nr_ports 31),
 * which a one-port driver does not use.
 */

const VIRTIO_CONSOLE_QUEUE = { RECEIVE: 0, TRANSMIT: 1 } as const;
const VIRTIO_CONSOLE_F = { SIZE: 0n, MULTIPORT: 1n, EMERG_WRITE: 2n } as const;
const EMERG_WR = 8;
/** struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr. */
const CONFIG_SIZE = 12;

export class VirtioConsole implements VirtioDevice {
  readonly name = 'virtio-console';
  readonly deviceId = 3;
  readonly queueCount = 2;
  readonly features = bit(VIRTIO_CONSOLE_F.EMERG_WRITE);
  /** QEMU offers VIRTIO_F_ANY_LAYOUT on the legacy layout; this device never assumes a layout. */
  readonly legacyFeatures = bit(VIRTIO_F.ANY_LAYOUT);
  readonly inputQueues = [VIRTIO_CONSOLE_QUEUE.RECEIVE] as const;
  readonly stats = { bytesIn: 0, bytesOut: 0 };

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly input: InputSource | undefined = undefined,
  ) {}

  readConfig(offset: number, size: number): number {
    if (offset + size > CONFIG_SIZE) return allOnes(size);
    // cols = rows = 0 (unknown), max_nr_ports = 1.
    return offset === 4 ? 1 : 0;
  }

  writeConfig(offset: number, size: number, value: number): void {
    if (offset === EMERG_WR && size === 4) {
      this.stats.bytesOut++;
      this.sink(new Uint8Array([value & 0xff]));
    }
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
