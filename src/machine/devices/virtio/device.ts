import type { VirtQueue } from './virtqueue.js';

/**
 * What a virtio device type (block, console) gives a transport: its identity, its feature
 * bits and configuration space, and what it does with the buffers of its queues. The device
 * never touches the transport's registers, and reaches guest memory only through its queues.
 */
export interface VirtioDevice {
  /** The name in warnings and statistics, as QEMU's: `virtio-blk`, `virtio-console`. */
  readonly name: string;
  /** The virtio device ID (virtio 1.2 §5: 2 block, 3 console). */
  readonly deviceId: number;
  /** The device-type feature bits offered (bits 0–23; the transport adds its own). */
  readonly features: bigint;
  /** Bits QEMU offers only on the legacy layout (VIRTIO_BLK_F_SCSI, VIRTIO_F_ANY_LAYOUT). */
  readonly legacyFeatures?: bigint;
  /** How many queues the device has. */
  readonly queueCount: number;
  /** Reads of the device-specific configuration space (offset from 0x100). */
  readConfig(offset: number, size: number): number;
  writeConfig(offset: number, size: number, value: number): void;
  /** The driver made buffers available on `queue` (or input arrived for it): use what can be used now. */
  process(queue: VirtQueue, context: VirtioDeviceContext): void;
  /** The driver reset the device (status 0). Counters are kept. */
  reset(): void;
  /** The queues that take input (polled between CPU batches). */
  readonly inputQueues?: readonly number[];
  /** Whether input is waiting at virtual time `nowNs` (nanoseconds since the machine started). */
  hasInput?(nowNs: number): boolean;
  /** When input will next be due (Infinity: nothing scheduled); the machine stops then to deliver it. */
  nextInputNs?(): number;
  /** Counters for `run --stats`, in print order. */
  counters(): ReadonlyArray<readonly [string, number]>;
  /** Host I/O behind the device (a socket) that delivers in wall-clock time: an idle machine waits for it. */
  readonly hostIo?: HostIo;
}

/**
 * Input from the host that arrives in wall-clock time (network sockets). While it is open, an
 * idle machine sleeps until it delivers (or the next timer is due) instead of ending the run.
 */
export interface HostIo {
  /** Something may still arrive (a socket is listening or connected, or input waits to be taken). */
  readonly open: boolean;
  /** Resolves when something arrives (or `open` may have changed). */
  wait(): Promise<void>;
}

export interface VirtioDeviceContext {
  /** The driver's features that were accepted. */
  readonly features: bigint;
  /** Virtual time in nanoseconds since the machine started. */
  nowNs(): number;
  /** A request the device refused with a status of its own (the device goes on): said once per kind. */
  warn(queue: number, message: string): void;
}

/** Device status bits (virtio 1.2 §2.1). */
export const VIRTIO_STATUS = { ACKNOWLEDGE: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, DEVICE_NEEDS_RESET: 64, FAILED: 128 } as const;

/** Reserved feature bits (virtio 1.2 §6) the transport offers. */
export const VIRTIO_F = {
  /** Legacy only: interrupt when the available ring runs empty, even with interrupts suppressed. */
  NOTIFY_ON_EMPTY: 24n,
  ANY_LAYOUT: 27n,
  RING_INDIRECT_DESC: 28n,
  RING_EVENT_IDX: 29n,
  VERSION_1: 32n,
  RING_RESET: 40n,
} as const;

export function bit(n: bigint): bigint {
  return 1n << n;
}

/** What QEMU's virtio_config_read* return beyond the configuration space's length: all ones. */
export function allOnes(size: number): number {
  return size >= 4 ? 0xffffffff : (1 << (8 * size)) - 1;
}
