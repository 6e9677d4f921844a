import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QEMU_VIRT } from '../src/machine/boards/qemu-virt.js';
import { memoryBackend } from '../src/machine/devices/virtio/block-store.js';
import { VIRTIO_BLK_F, VIRTIO_BLK_S, VIRTIO_BLK_T, VirtioBlock } from '../src/machine/devices/virtio/block.js';
import { VirtioConsole } from '../src/machine/devices/virtio/console.js';
import { VIRTIO_F, VIRTIO_STATUS, type VirtioDevice } from '../src/machine/devices/virtio/device.js';
import { VIRTIO_MMIO, VIRTIO_MMIO_INT, VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_VENDOR } from '../src/machine/devices/virtio/mmio-transport.js';
import { pcapBackend, VIRTIO_NET_F, VirtioNet } from '../src/machine/devices/virtio/net.js';
import { parsePcap, pcapHeader, pcapRecord } from '../src/machine/devices/virtio/pcap.js';
import { VIRTQ_DESC_F } from '../src/machine/devices/virtio/virtqueue.js';
import { Machine } from '../src/machine/machine.js';
import { FACTS_DEVICES, qemuAvailable, qemuVirtioFacts, type QemuVirtioFacts } from './helpers/qemu-virtio-facts.js';
import { oracle } from './helpers/oracles.js';
import { blkHeader, TestVirtioDriver } from './helpers/virtio-driver.js';

const TOP = 0x0a00_3e00;
const HEADER = 0x4020_0000;
const DATA = 0x4020_1000;
const STATUS = 0x4020_3000;
const INDIRECT = 0x4020_4000;

function disk(sectors = 64): Uint8Array {
  const bytes = new Uint8Array(sectors * 512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
  return bytes;
}

function machineWith(devices: VirtioDevice[], forceLegacy = true) {
  const warnings: string[] = [];
  const machine = new Machine({ virtio: { devices, forceLegacy, warn: (m) => warnings.push(m) } });
  return { machine, warnings };
}

function blkSetup(opts: { legacy: boolean; readOnly?: boolean; accept?: bigint; queueSize?: number; bytes?: Uint8Array }) {
  const bytes = opts.bytes ?? disk();
  const backend = memoryBackend(bytes, opts.readOnly);
  const blk = new VirtioBlock(backend);
  const { machine, warnings } = machineWith([blk], opts.legacy);
  const driver = new TestVirtioDriver(machine, TOP, { legacy: opts.legacy, accept: opts.accept, queueSize: opts.queueSize });
  return { machine, warnings, blk, driver, bytes };
}

/** A block request: header, data (readable for OUT, writable for IN), status byte. */
function request(driver: TestVirtioDriver, type: number, sector: number, length: number, opts: { indirect?: boolean; data?: Uint8Array } = {}) {
  const mem = driver.machine.memory;
  mem.write(HEADER, blkHeader(type, sector));
  mem.write(STATUS, new Uint8Array([0xff]));
  if (opts.data) mem.write(DATA, opts.data);
  const buffers = [{ addr: HEADER, len: 16 }];
  if (length > 0) buffers.push({ addr: DATA, len: length, write: type !== VIRTIO_BLK_T.OUT } as never);
  buffers.push({ addr: STATUS, len: 1, write: true } as never);
  driver.offer(0, buffers, opts.indirect ? { indirectAt: INDIRECT } : {});
  return { status: () => mem.read(STATUS, 1)[0], data: () => mem.read(DATA, length) };
}

describe('virtio-mmio transports on the virt board', () => {
  const facts = JSON.parse(readFileSync(new URL('./fixtures/virtio/qemu-virt-mmio.json', import.meta.url), 'utf8')) as {
    qemu: string;
    transports: { reg: string; size: string; spi: number }[];
    placement: { device: string; address: string }[];
  };

  it("are where QEMU's device tree puts them: 32 of 0x200 bytes from 0x0a000000, transport n on SPI 16 + n", () => {
    const { machine } = machineWith([]);
    expect(facts.transports).toHaveLength(32);
    expect(machine.virtio).toHaveLength(32);
    facts.transports.forEach((t, n) => {
      expect(machine.virtio[n]!.base).toBe(Number(t.reg));
      expect(QEMU_VIRT.virtioMmio.stride).toBe(Number(t.size));
      expect(machine.virtio[n]!.intid).toBe(32 + t.spi);
    });
  });

  it("take devices in QEMU's order: the first device on the highest transport (INTID 79)", () => {
    const given = facts.placement;
    expect(given.map((p) => p.device)).toEqual(FACTS_DEVICES);
    const devices = [new VirtioBlock(memoryBackend(disk())), new VirtioConsole(() => {}), new VirtioBlock(memoryBackend(disk()))];
    const { machine } = machineWith(devices);
    given.forEach((p, i) => expect(machine.virtio.find((t) => t.device === devices[i])!.base).toBe(Number(p.address)));
    expect(machine.virtio[31]!.intid).toBe(79);
  });

  it.skipIf(!oracle('qemu-system-aarch64', qemuAvailable(), 'virtio-mmio facts live'))(
    'the recorded facts are what the installed qemu-system-aarch64 says',
    () => {
      const live: QemuVirtioFacts = qemuVirtioFacts();
      expect(live.transports.map((t) => ({ reg: `0x${t.reg.toString(16)}`, size: `0x${t.size.toString(16)}`, spi: t.spi }))).toEqual(facts.transports.map(({ reg, size, spi }) => ({ reg, size, spi })));
      expect(live.placement.map((p) => ({ device: p.device, address: `0x${p.address.toString(16)}` }))).toEqual(facts.placement);
    },
    30_000,
  );

  it('read as an empty transport where no device is (device ID 0), with the magic, version and vendor', () => {
    for (const legacy of [true, false]) {
      const { machine } = machineWith([], legacy);
      const d = new TestVirtioDriver(machine, 0x0a00_0000, { legacy });
      expect(d.reg(VIRTIO_MMIO.MagicValue)).toBe(VIRTIO_MMIO_MAGIC);
      expect(d.reg(VIRTIO_MMIO.Version)).toBe(legacy ? 1 : 2);
      expect(d.reg(VIRTIO_MMIO.DeviceID)).toBe(0);
      expect(d.reg(VIRTIO_MMIO.VendorID)).toBe(VIRTIO_MMIO_VENDOR);
    }
  });
});

describe('virtio-blk', () => {
  for (const legacy of [false, true]) {
    describe(legacy ? 'legacy (version 1, force-legacy=true)' : 'modern (version 2, force-legacy=false)', () => {
      it('offers its features (VERSION_1 only when modern) and initialises', () => {
        const { driver } = blkSetup({ legacy });
        const status = driver.init(1);
        expect(status & VIRTIO_STATUS.DRIVER_OK).toBeTruthy();
        expect(driver.reg(VIRTIO_MMIO.DeviceID)).toBe(2);
        const f = driver.offered();
        expect(Boolean(f & (1n << VIRTIO_F.VERSION_1))).toBe(!legacy);
        expect(f & (1n << VIRTIO_BLK_F.FLUSH)).toBeTruthy();
        expect(f & (1n << VIRTIO_F.RING_INDIRECT_DESC)).toBeTruthy();
        expect(f & (1n << VIRTIO_BLK_F.RO)).toBe(0n);
        expect(driver.reg(VIRTIO_MMIO.QueueNumMax)).toBe(1024);
        // capacity (64 sectors), seg_max (QEMU: queue-size 256 − 2), blk_size 512.
        expect(driver.reg(VIRTIO_MMIO.Config)).toBe(64);
        expect(driver.reg(VIRTIO_MMIO.Config + 4)).toBe(0);
        expect(driver.reg(VIRTIO_MMIO.Config + 12)).toBe(254);
        expect(driver.reg(VIRTIO_MMIO.Config + 20)).toBe(512);
      });

      it('reads, writes, flushes and gets the id, through direct and indirect descriptors, with interrupts', () => {
        const { driver, machine, bytes, blk } = blkSetup({ legacy, accept: ~((1n << VIRTIO_F.RING_EVENT_IDX) | (1n << VIRTIO_F.NOTIFY_ON_EMPTY)) });
        driver.init(1);
        const r = request(driver, VIRTIO_BLK_T.IN, 2, 1024);
        expect(r.status()).toBe(VIRTIO_BLK_S.OK);
        expect(r.data()).toEqual(bytes.slice(1024, 2048));
        expect(driver.takeUsed(0)).toEqual([{ id: 0, len: 1025 }]);
        expect(machine.gic.line[79]).toBe(1);
        expect(driver.ack()).toBe(VIRTIO_MMIO_INT.VRING);
        expect(machine.gic.line[79]).toBe(0);

        const data = new Uint8Array(512).fill(0xa5);
        const w = request(driver, VIRTIO_BLK_T.OUT, 5, 512, { indirect: true, data });
        expect(w.status()).toBe(VIRTIO_BLK_S.OK);
        expect(driver.takeUsed(0)).toEqual([{ id: 3, len: 1 }]);
        // Not in the image until the flush; read back from the device at once.
        expect(bytes.slice(5 * 512, 6 * 512)).not.toEqual(data);
        expect(request(driver, VIRTIO_BLK_T.IN, 5, 512, { indirect: true }).data()).toEqual(data);
        expect(request(driver, VIRTIO_BLK_T.FLUSH, 0, 0).status()).toBe(VIRTIO_BLK_S.OK);
        expect(bytes.slice(5 * 512, 6 * 512)).toEqual(data);

        const id = request(driver, VIRTIO_BLK_T.GET_ID, 0, 20);
        expect(id.status()).toBe(VIRTIO_BLK_S.OK);
        expect(request(driver, 99, 0, 0).status()).toBe(VIRTIO_BLK_S.UNSUPP);
        expect(blk.stats).toMatchObject({ reads: 2, writes: 1, flushes: 1, bytesRead: 1536, bytesWritten: 512, errors: 1 });
        expect(machine.virtio[31]!.counters.interrupts).toBe(6);
      });
    });
  }

  it('accepts FEATURES_OK as QEMU 7.2 does: the bits it did not offer dropped, even without VERSION_1', () => {
    const { driver } = blkSetup({ legacy: false, accept: ~(1n << VIRTIO_F.VERSION_1) });
    expect(driver.init(1) & VIRTIO_STATUS.FEATURES_OK).toBe(VIRTIO_STATUS.FEATURES_OK);
    const d2 = blkSetup({ legacy: false });
    d2.driver.set(VIRTIO_MMIO.Status, VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER);
    d2.driver.writeFeatures((1n << VIRTIO_F.VERSION_1) | (1n << VIRTIO_F.RING_EVENT_IDX) | (1n << 41n));
    d2.driver.set(VIRTIO_MMIO.Status, VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER | VIRTIO_STATUS.FEATURES_OK);
    expect(d2.driver.reg(VIRTIO_MMIO.Status) & VIRTIO_STATUS.FEATURES_OK).toBe(VIRTIO_STATUS.FEATURES_OK);
    expect(d2.machine.virtio[31]!.negotiatedFeatures).toBe((1n << VIRTIO_F.VERSION_1) | (1n << VIRTIO_F.RING_EVENT_IDX));
  });

  it('legacy: VIRTIO_F_NOTIFY_ON_EMPTY and VIRTIO_BLK_F_SCSI offered, as QEMU; the former interrupts despite NO_INTERRUPT', () => {
    const { driver, machine } = blkSetup({ legacy: true, accept: ~(1n << VIRTIO_F.RING_EVENT_IDX) });
    driver.init(1);
    expect(driver.features & ((1n << VIRTIO_F.NOTIFY_ON_EMPTY) | (1n << VIRTIO_BLK_F.SCSI))).toBe((1n << VIRTIO_F.NOTIFY_ON_EMPTY) | (1n << VIRTIO_BLK_F.SCSI));
    machine.memory.write(driver.layout(0).avail, new Uint8Array([1, 0]));
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(machine.gic.line[79]).toBe(1);
    expect(blkSetup({ legacy: false }).driver.offered() & ((1n << VIRTIO_F.NOTIFY_ON_EMPTY) | (1n << VIRTIO_BLK_F.SCSI))).toBe(0n);
  });

  it('with VIRTIO_F_EVENT_IDX interrupts only when the used index passes used_event', () => {
    const { driver, machine } = blkSetup({ legacy: false });
    driver.init(1);
    expect(driver.features & (1n << VIRTIO_F.RING_EVENT_IDX)).toBeTruthy();
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(driver.ack()).toBe(VIRTIO_MMIO_INT.VRING); // the first one always
    driver.setUsedEvent(0, 2); // interrupt when entry 2 (the third) is used
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(machine.gic.line[79]).toBe(0);
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(machine.gic.line[79]).toBe(1);
  });

  it('without EVENT_IDX honours VIRTQ_AVAIL_F_NO_INTERRUPT', () => {
    const { driver, machine } = blkSetup({ legacy: true, accept: ~((1n << VIRTIO_F.RING_EVENT_IDX) | (1n << VIRTIO_F.NOTIFY_ON_EMPTY)) });
    driver.init(1);
    machine.memory.write(driver.layout(0).avail, new Uint8Array([1, 0]));
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(driver.takeUsed(0)).toHaveLength(1);
    expect(machine.gic.line[79]).toBe(0);
  });

  it('a status-0 write resets the device: queues, interrupt status and features', () => {
    const { driver, machine } = blkSetup({ legacy: false });
    driver.init(1);
    request(driver, VIRTIO_BLK_T.IN, 0, 512);
    driver.set(VIRTIO_MMIO.Status, 0);
    expect(driver.reg(VIRTIO_MMIO.Status)).toBe(0);
    expect(driver.reg(VIRTIO_MMIO.InterruptStatus)).toBe(0);
    expect(driver.reg(VIRTIO_MMIO.QueueReady)).toBe(0);
    expect(machine.gic.line[79]).toBe(0);
  });

  it('DISCARD and WRITE_ZEROES zero one segment of sectors; reads past the configuration space are all ones', () => {
    const { driver, bytes } = blkSetup({ legacy: false });
    driver.init(1);
    const segment = new Uint8Array(16);
    new DataView(segment.buffer).setBigUint64(0, 3n, true);
    new DataView(segment.buffer).setUint32(8, 2, true);
    for (const type of [VIRTIO_BLK_T.WRITE_ZEROES, VIRTIO_BLK_T.DISCARD]) {
      const mem = driver.machine.memory;
      mem.write(HEADER, blkHeader(type, 0));
      mem.write(DATA, segment);
      driver.offer(0, [
        { addr: HEADER, len: 16 },
        { addr: DATA, len: 16 },
        { addr: STATUS, len: 1, write: true },
      ]);
      expect(mem.read(STATUS, 1)[0]).toBe(VIRTIO_BLK_S.OK);
    }
    expect(request(driver, VIRTIO_BLK_T.IN, 2, 2048).data()).toEqual(new Uint8Array([...bytes.slice(1024, 1536), ...new Uint8Array(1024), ...bytes.slice(2560, 3072)]));
    // QEMU's config_len ends at write_zeroes_may_unmap (byte 56).
    expect(driver.reg(VIRTIO_MMIO.Config + 52)).toBe(1);
    expect(driver.machine.memory.readDevice32(TOP + VIRTIO_MMIO.Config + 56)).toBe(0xffffffff);
  });

  it('QueueReset (VIRTIO_F_RING_RESET, modern) resets the selected queue alone', () => {
    const { driver } = blkSetup({ legacy: false });
    driver.init(1);
    expect(driver.features & (1n << VIRTIO_F.RING_RESET)).toBeTruthy();
    expect(driver.reg(VIRTIO_MMIO.QueueReady)).toBe(1);
    driver.set(VIRTIO_MMIO.QueueReset, 1);
    expect(driver.reg(VIRTIO_MMIO.QueueReady)).toBe(0);
    expect(driver.reg(VIRTIO_MMIO.Status) & VIRTIO_STATUS.DRIVER_OK).toBe(VIRTIO_STATUS.DRIVER_OK);
    driver.setupQueue(0, 8);
    expect(request(driver, VIRTIO_BLK_T.IN, 0, 512).status()).toBe(VIRTIO_BLK_S.OK);
  });

  it('snapshot=on (a backend without commit) keeps the image unchanged across flushes', () => {
    const bytes = disk();
    const before = bytes.slice();
    const blk = new VirtioBlock({ size: bytes.length, readOnly: false, readBase: (o, n) => bytes.slice(o, o + n) });
    const { machine } = machineWith([blk], false);
    const driver = new TestVirtioDriver(machine, TOP, { legacy: false });
    driver.init(1);
    request(driver, VIRTIO_BLK_T.OUT, 0, 512, { data: new Uint8Array(512).fill(1) });
    request(driver, VIRTIO_BLK_T.FLUSH, 0, 0);
    expect(request(driver, VIRTIO_BLK_T.IN, 0, 512).data()).toEqual(new Uint8Array(512).fill(1));
    expect(bytes).toEqual(before);
  });
});

describe('bad input from the guest', () => {
  function broken(setup: ReturnType<typeof blkSetup>) {
    const { driver, machine } = setup;
    expect(driver.reg(VIRTIO_MMIO.Status) & VIRTIO_STATUS.DEVICE_NEEDS_RESET).toBe(VIRTIO_STATUS.DEVICE_NEEDS_RESET);
    expect(driver.reg(VIRTIO_MMIO.InterruptStatus) & VIRTIO_MMIO_INT.CONFIG).toBe(VIRTIO_MMIO_INT.CONFIG);
    expect(machine.gic.line[79]).toBe(1);
  }

  it('a descriptor chain that loops: DEVICE_NEEDS_RESET and a warning naming the device and queue', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(1);
    const { desc } = s.driver.layout(0);
    s.driver.writeDesc(desc, 0, { addr: HEADER, len: 16, flags: VIRTQ_DESC_F.NEXT, next: 1 });
    s.driver.writeDesc(desc, 1, { addr: DATA, len: 512, flags: VIRTQ_DESC_F.NEXT, next: 0 });
    s.driver.makeAvailable(0, 0);
    s.driver.set(VIRTIO_MMIO.QueueNotify, 0);
    broken(s);
    expect(s.warnings).toEqual(['virtio-blk at 0xa003e00 (INTID 79): queue 0: the descriptor chain from descriptor 0 loops (more than 8 descriptors); the device needs a reset (DEVICE_NEEDS_RESET)']);
    expect(s.driver.takeUsed(0)).toEqual([]);
    // Ignored until reset, then usable again.
    request(s.driver, VIRTIO_BLK_T.IN, 0, 512);
    expect(s.driver.takeUsed(0)).toEqual([]);
    s.driver.init(1);
    expect(request(s.driver, VIRTIO_BLK_T.IN, 0, 512).status()).toBe(VIRTIO_BLK_S.OK);
  });

  it('a loop inside an indirect table, and an indirect table inside one', () => {
    const s = blkSetup({ legacy: true });
    s.driver.init(1);
    s.driver.writeDesc(INDIRECT, 0, { addr: HEADER, len: 16, flags: VIRTQ_DESC_F.NEXT, next: 0 });
    s.driver.writeDesc(s.driver.layout(0).desc, 0, { addr: INDIRECT, len: 32, flags: VIRTQ_DESC_F.INDIRECT, next: 0 });
    s.driver.makeAvailable(0, 0);
    s.driver.set(VIRTIO_MMIO.QueueNotify, 0);
    broken(s);
    expect(s.warnings[0]).toMatch(/queue 0: the descriptor chain from descriptor 0 loops \(more than 2 descriptors\)/);
    const t = blkSetup({ legacy: false });
    t.driver.init(1);
    t.driver.writeDesc(INDIRECT, 0, { addr: INDIRECT, len: 16, flags: VIRTQ_DESC_F.INDIRECT, next: 0 });
    t.driver.writeDesc(t.driver.layout(0).desc, 0, { addr: INDIRECT, len: 16, flags: VIRTQ_DESC_F.INDIRECT, next: 0 });
    t.driver.makeAvailable(0, 0);
    t.driver.set(VIRTIO_MMIO.QueueNotify, 0);
    expect(t.warnings[0]).toMatch(/indirect descriptor 0 .* points to another indirect table/);
  });

  it('a buffer outside RAM, and a read into one, write nothing', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(1);
    s.machine.memory.write(HEADER, blkHeader(VIRTIO_BLK_T.IN, 0));
    s.driver.offer(0, [
      { addr: HEADER, len: 16 },
      { addr: DATA, len: 512, write: true },
      { addr: 0x1_0000_0000 + 0x4000_0000, len: 1, write: true },
    ]);
    broken(s);
    expect(s.warnings[0]).toBe('virtio-blk at 0xa003e00 (INTID 79): queue 0: the buffer of descriptor 2 at 0x140000000 (1 bytes) is outside RAM; the device needs a reset (DEVICE_NEEDS_RESET)');
    expect(s.machine.memory.read(DATA, 512)).toEqual(new Uint8Array(512));
    expect(s.blk.stats.requests).toBe(0);
  });

  it('a queue whose rings lie outside RAM', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(0);
    s.driver.set(VIRTIO_MMIO.QueueSel, 0);
    s.driver.set(VIRTIO_MMIO.QueueNum, 8);
    s.driver.set(VIRTIO_MMIO.QueueDescLow, 0x1000);
    s.driver.set(VIRTIO_MMIO.QueueReady, 1);
    broken(s);
    expect(s.warnings[0]).toMatch(/queue 0: the descriptor table at 0x1000 \(128 bytes\) is outside RAM/);
  });

  for (const legacy of [false, true]) {
    it(`a queue size that is not a power of two (${legacy ? 'legacy' : 'modern'})`, () => {
      const s = blkSetup({ legacy, queueSize: 6 });
      s.driver.init(1);
      broken(s);
      expect(s.warnings).toEqual(['virtio-blk at 0xa003e00 (INTID 79): queue 0: queue size 6 is not a power of two between 1 and 1024; the device needs a reset (DEVICE_NEEDS_RESET)']);
    });
  }

  it('a write to a read-only drive fails with VIRTIO_BLK_S_IOERR, offers VIRTIO_BLK_F_RO, and never reaches the image', () => {
    const s = blkSetup({ legacy: false, readOnly: true });
    const before = s.bytes.slice();
    s.driver.init(1);
    expect(s.driver.features & (1n << VIRTIO_BLK_F.RO)).toBeTruthy();
    expect(request(s.driver, VIRTIO_BLK_T.OUT, 0, 512, { data: new Uint8Array(512).fill(9) }).status()).toBe(VIRTIO_BLK_S.IOERR);
    request(s.driver, VIRTIO_BLK_T.OUT, 1, 512, { data: new Uint8Array(512).fill(9) });
    request(s.driver, VIRTIO_BLK_T.FLUSH, 0, 0);
    expect(s.bytes).toEqual(before);
    expect(s.warnings).toEqual(['virtio-blk at 0xa003e00 (INTID 79): queue 0: a write to a read-only drive (readonly=on) fails with VIRTIO_BLK_S_IOERR']);
    expect(s.driver.reg(VIRTIO_MMIO.Status) & VIRTIO_STATUS.DEVICE_NEEDS_RESET).toBe(0);
  });

  it('a transfer past the end of the disk or of part of a sector fails with VIRTIO_BLK_S_IOERR', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(1);
    expect(request(s.driver, VIRTIO_BLK_T.IN, 63, 1024).status()).toBe(VIRTIO_BLK_S.IOERR);
    expect(request(s.driver, VIRTIO_BLK_T.IN, 0, 100).status()).toBe(VIRTIO_BLK_S.IOERR);
    expect(s.warnings).toHaveLength(2);
  });

  it('a request without a header or a status byte', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(1);
    s.driver.offer(0, [{ addr: HEADER, len: 8 }]);
    broken(s);
    expect(s.warnings[0]).toMatch(/queue 0: request 0 has no header or no status byte/);
  });

  it('an available index moved by more than the queue size', () => {
    const s = blkSetup({ legacy: false });
    s.driver.init(1);
    s.machine.memory.write(s.driver.layout(0).avail + 2, new Uint8Array([100, 0]));
    s.driver.set(VIRTIO_MMIO.QueueNotify, 0);
    broken(s);
    expect(s.warnings[0]).toMatch(/moved the available index from 0 to 100/);
  });
});

describe('virtio-console', () => {
  it('transmits what the driver queues on transmitq and fills receiveq buffers from its input', () => {
    const out: number[] = [];
    const input = new TextEncoder().encode('hello');
    let pos = 0;
    const con = new VirtioConsole((b) => out.push(...b), { peek: () => input[pos], take: () => void pos++ });
    const { machine } = machineWith([con], false);
    const d = new TestVirtioDriver(machine, TOP, { legacy: false });
    d.init(2);
    expect(d.reg(VIRTIO_MMIO.DeviceID)).toBe(3);
    machine.memory.write(DATA, new TextEncoder().encode('hi\n'));
    d.offer(1, [{ addr: DATA, len: 3 }]);
    expect(new TextDecoder().decode(new Uint8Array(out))).toBe('hi\n');
    d.offer(0, [{ addr: DATA + 0x100, len: 3, write: true }], { notify: false });
    machine.virtio[31]!.poll();
    expect(d.takeUsed(0)).toEqual([{ id: 0, len: 3 }]);
    expect(new TextDecoder().decode(machine.memory.read(DATA + 0x100, 3))).toBe('hel');
    expect(con.stats).toEqual({ bytesIn: 3, bytesOut: 3 });
    // VIRTIO_CONSOLE_F_EMERG_WRITE: a byte through emerg_wr.
    d.set(VIRTIO_MMIO.Config + 8, 0x21);
    expect(out.at(-1)).toBe(0x21);
  });
});

describe('virtio-net with the pcap backend', () => {
  const frame = (n: number, len = 60) => new Uint8Array(len).map((_, i) => (i * 3 + n) & 0xff);

  function netSetup(input: { timeNs: number; bytes: Uint8Array }[], legacy = false) {
    const sent: { timeNs: number; bytes: Uint8Array }[] = [];
    const net = new VirtioNet(
      pcapBackend(input, (f) => sent.push(f)),
      new Uint8Array([2, 0, 0, 0, 0, 1]),
    );
    const { machine, warnings } = machineWith([net], legacy);
    const driver = new TestVirtioDriver(machine, TOP, { legacy, accept: ~(1n << VIRTIO_NET_F.MRG_RXBUF) });
    driver.init(2);
    return { net, machine, warnings, driver, sent };
  }

  it('offers MAC and STATUS (link up), sends frames without their virtio_net_hdr, stamped with virtual time', () => {
    const { driver, sent, net } = netSetup([]);
    expect(driver.reg(VIRTIO_MMIO.DeviceID)).toBe(1);
    expect(driver.reg(VIRTIO_MMIO.Config)).toBe(0x00000002);
    expect(driver.reg(VIRTIO_MMIO.Config + 4)).toBe(0x00010100); // mac[4..5] = 00:01, status LINK_UP
    const f = frame(1);
    driver.machine.memory.write(DATA, new Uint8Array(12));
    driver.machine.memory.write(DATA + 12, f);
    driver.offer(1, [
      { addr: DATA, len: 12 },
      { addr: DATA + 12, len: f.length },
    ]);
    expect(sent).toEqual([{ timeNs: 0, bytes: f }]);
    expect(net.stats.framesOut).toBe(1);
  });

  for (const legacy of [false, true]) {
    it(`receives a due frame into a buffer with a ${legacy ? '10' : '12'}-byte header; a later one waits for its time`, () => {
      const hdr = legacy ? 10 : 12;
      const { driver, machine, net } = netSetup(
        [
          { timeNs: 0, bytes: frame(2) },
          { timeNs: 5_000_000, bytes: frame(3) },
        ],
        legacy,
      );
      driver.offer(0, [{ addr: DATA, len: 1514 + 12, write: true }], { notify: false });
      driver.offer(0, [{ addr: DATA + 0x1000, len: 1514 + 12, write: true }]);
      expect(driver.takeUsed(0)).toEqual([{ id: 0, len: hdr + 60 }]);
      expect(machine.memory.read(DATA + hdr, 60)).toEqual(frame(2));
      expect(machine.gic.line[79]).toBe(1);
      machine.virtio[31]!.poll();
      expect(net.stats.framesIn).toBe(1);
      expect((machine as unknown as { virtioInputDeadline(): number }).virtioInputDeadline()).toBe(5_000_000);
    });
  }

  it('a frame larger than the buffer is dropped with a warning', () => {
    const { driver, warnings, net } = netSetup([{ timeNs: 0, bytes: frame(4, 200) }]);
    driver.offer(0, [{ addr: DATA, len: 100, write: true }]);
    expect(driver.takeUsed(0)).toEqual([{ id: 0, len: 0 }]);
    expect(net.stats.dropped).toBe(1);
    expect(warnings).toEqual(['virtio-net at 0xa003e00 (INTID 79): queue 0: a 200-byte frame does not fit a 100-byte receive buffer and is dropped']);
  });

  it('pcap files: read and written with virtual-time stamps; bad ones are refused with the reason', () => {
    const frames = [
      { timeNs: 1_500_000_000, bytes: frame(5) },
      { timeNs: 1_500_002_000, bytes: frame(6, 70) },
    ];
    const file = new Uint8Array([...pcapHeader(), ...pcapRecord(frames[0]!), ...pcapRecord(frames[1]!)]);
    expect(parsePcap(file)).toEqual(frames);
    expect(parsePcap(file.subarray(0, 30))).toBe('record 1 is cut short');
    expect(parsePcap(new Uint8Array(24))).toBe('not a pcap file (pcapng is not supported)');
    const swapped = new Uint8Array([...pcapHeader(), ...pcapRecord(frames[1]!), ...pcapRecord(frames[0]!)]);
    expect(parsePcap(swapped)).toBe("record 2's timestamp is earlier than record 1's");
  });
});
