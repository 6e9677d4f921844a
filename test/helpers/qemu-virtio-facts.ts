import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What QEMU's own `virt` board says about its virtio-mmio transports: the `virtio_mmio@…`
 * nodes of the device tree it dumps (address, size, SPI) and, from the monitor's
 * `info qtree`, which transport each `-device` lands on. test/virtio.test.ts compares the
 * machine model with the recorded facts (test/fixtures/virtio/qemu-virt-mmio.json) and, when
 * qemu-system-aarch64 is installed, the recorded facts with QEMU's.
 */

export interface QemuVirtioFacts {
  qemu: string;
  /** Every virtio_mmio node, lowest address first. */
  transports: { reg: number; size: number; spi: number; trigger: number }[];
  /** The devices of the command line, in order, and the transport address each got. */
  placement: { device: string; address: number }[];
}

export const FACTS_DEVICES = ['virtio-blk-device', 'virtio-serial-device', 'virtio-blk-device'];

export function qemuAvailable(): boolean {
  try {
    execFileSync('qemu-system-aarch64', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Ask qemu-system-aarch64 (a few seconds). */
export function qemuVirtioFacts(): QemuVirtioFacts {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-virtio-facts-'));
  try {
    const args = ['-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-m', '2G', '-nographic', '-serial', 'none', '-nic', 'none'];
    let hd = 0;
    for (const d of FACTS_DEVICES) {
      if (d === 'virtio-blk-device') {
        const img = join(dir, `d${hd}.img`);
        writeFileSync(img, new Uint8Array(1 << 20));
        args.push('-drive', `file=${img},if=none,format=raw,id=hd${hd}`, '-device', `${d},drive=hd${hd}`);
        hd++;
      } else args.push('-device', d);
    }
    const dtb = join(dir, 'virt.dtb');
    const withDump = args.map((a) => (a === 'virt,virtualization=on' ? `virt,virtualization=on,dumpdtb=${dtb}` : a));
    execFileSync('qemu-system-aarch64', withDump, { stdio: 'pipe' });
    const qtree = execFileSync('qemu-system-aarch64', [...args, '-S', '-monitor', 'stdio'], { input: 'info qtree\nquit\n', stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    const version = /QEMU emulator version (\S+)/.exec(execFileSync('qemu-system-aarch64', ['--version']).toString())?.[1] ?? '?';
    return { qemu: version, transports: virtioNodes(readFileSync(dtb)), placement: placements(qtree) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `mmio <addr>/<size>` of each virtio-mmio proxy, then the device on its bus. */
function placements(qtree: string): { device: string; address: number }[] {
  const out: { device: string; address: number }[] = [];
  let address: number | undefined;
  for (const line of qtree.split('\n')) {
    const mmio = /^\s+mmio ([0-9a-f]+)\/0*200\s*$/.exec(line);
    if (mmio) address = Number.parseInt(mmio[1]!, 16);
    const dev = /^\s+dev: (virtio-[a-z]+-device),/.exec(line);
    if (dev && address !== undefined) out.push({ device: dev[1]!, address });
  }
  // qtree lists the proxies highest first; the command line's order is the creation order.
  return out;
}

/** A minimal flattened-device-tree reader: the reg and interrupts of every `virtio_mmio@` node. */
function virtioNodes(dtb: Uint8Array): QemuVirtioFacts['transports'] {
  const v = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
  if (v.getUint32(0) !== 0xd00dfeed) throw new Error('not a flattened device tree');
  const structOff = v.getUint32(8);
  const stringsOff = v.getUint32(12);
  const cstring = (at: number) => {
    let end = at;
    while (dtb[end] !== 0) end++;
    return new TextDecoder().decode(dtb.subarray(at, end));
  };
  const out: QemuVirtioFacts['transports'] = [];
  const path: string[] = [];
  let props: Map<string, Uint8Array> | undefined;
  for (let p = structOff; ; ) {
    const token = v.getUint32(p);
    p += 4;
    if (token === 1) {
      const name = cstring(p);
      p += (name.length + 4) & ~3;
      path.push(name);
      props = name.startsWith('virtio_mmio@') ? new Map() : undefined;
    } else if (token === 2) {
      if (props) {
        const reg = props.get('reg')!;
        const irq = props.get('interrupts')!;
        const r = new DataView(reg.buffer, reg.byteOffset, reg.byteLength);
        const i = new DataView(irq.buffer, irq.byteOffset, irq.byteLength);
        out.push({ reg: r.getUint32(4), size: r.getUint32(12), spi: i.getUint32(4), trigger: i.getUint32(8) });
      }
      props = undefined;
      path.pop();
    } else if (token === 3) {
      const len = v.getUint32(p);
      const nameOff = v.getUint32(p + 4);
      props?.set(cstring(stringsOff + nameOff), dtb.subarray(p + 8, p + 8 + len));
      p += 8 + ((len + 3) & ~3);
    } else if (token === 4) continue;
    else break;
  }
  return out.sort((a, b) => a.reg - b.reg);
}
