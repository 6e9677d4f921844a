import { accessSync, closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { QEMU_VIRT } from '../../machine/boards/qemu-virt.js';
import type { VirtioOptions } from '../../machine/machine.js';
import { SECTOR_SIZE, type BlockBackend } from '../../machine/devices/virtio/block-store.js';
import { VirtioBlock } from '../../machine/devices/virtio/block.js';
import { VirtioConsole } from '../../machine/devices/virtio/console.js';
import type { VirtioDevice } from '../../machine/devices/virtio/device.js';
import type { VirtioMmioTransport } from '../../machine/devices/virtio/mmio-transport.js';
import { DEFAULT_MAC, pcapBackend, VirtioNet } from '../../machine/devices/virtio/net.js';
import { parsePcap, pcapHeader, pcapRecord, type TimedFrame } from '../../machine/devices/virtio/pcap.js';
import { parseMac } from '../../machine/net/ethernet.js';
import { UserNetwork } from '../../machine/net/slirp.js';
import { StreamNetwork } from '../../machine/net/stream.js';
import { InputError, UsageError, type Io } from '../io.js';
import { keyValues, onOff } from './key-values.js';
import { parseStreamSpec, parseUserSpec } from './netdev-options.js';
import { openStream, openUser, type OpenSockets } from './netdev-sockets.js';

/**
 * `run`'s virtio options, spelled as QEMU's: `--drive file=PATH[,readonly=on][,snapshot=on]`,
 * `--virtio-console stdio|file,path=OUT[,input-path=IN]` (QEMU's chardev spellings; QEMU 7.2's
 * file chardev has no input-path, a pipe chardev serves there) and
 * `--global virtio-mmio.force-legacy=false`. Files are opened and checked here, before the run;
 * the machine gets the devices with their backing stores.
 */

export interface VirtioCliOptions {
  drive?: string[];
  virtioConsole?: string;
  netdev?: string[];
  global?: string[];
}

export interface VirtioSetup {
  options: VirtioOptions | undefined;
  /** Open the network backends' sockets (listen, or connect to the peer); rejects with an InputError before the run. */
  openSockets(): Promise<void>;
  /** Write what the drives hold unflushed to their files (the end of the run) and close them. */
  finish(): void;
}

/** A disk image file: read as needed, written only when the guest flushes or the run ends, never partially. */
function fileBackend(path: string, readOnly: boolean, snapshot: boolean): BlockBackend & { close(): void } {
  const fd = openSync(path, readOnly || snapshot ? 'r' : 'r+');
  const size = fstatSync(fd).size;
  return {
    size: size - (size % SECTOR_SIZE),
    readOnly,
    readBase(offset, length) {
      const out = new Uint8Array(length);
      readSync(fd, out, 0, length, offset);
      return out;
    },
    // snapshot=on: writes stay in memory.
    commit:
      readOnly || snapshot
        ? undefined
        : (sectors) => {
            for (const [sector, data] of sectors) writeSync(fd, data, 0, data.length, sector * SECTOR_SIZE);
          },
    close: () => closeSync(fd),
  };
}

function drive(spec: string, cwd: string): { device: VirtioBlock; close(): void } {
  const kv = keyValues('--drive', spec, 'file');
  for (const key of kv.keys()) {
    if (!['file', 'readonly', 'snapshot', 'serial', 'format', 'if', 'id'].includes(key)) throw new UsageError(`--drive '${spec}': unknown key '${key}' (known: file, readonly, snapshot, serial, format=raw)`);
  }
  const format = kv.get('format');
  if (format !== undefined && format !== 'raw') throw new UsageError(`--drive '${spec}': format=${format}: only raw images are supported`);
  const path = kv.get('file');
  if (!path) throw new UsageError(`--drive '${spec}': give file=PATH, the disk image`);
  const readOnly = onOff('--drive', 'readonly', kv.get('readonly'));
  const snapshot = onOff('--drive', 'snapshot', kv.get('snapshot'));
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new InputError(`--drive file=${path}: no such file (a disk image is a raw file, e.g. made with truncate -s 1M ${path})`);
  if (!statSync(full).isFile()) throw new InputError(`--drive file=${path}: not a regular file`);
  try {
    accessSync(full, readOnly || snapshot ? constants.R_OK : constants.R_OK | constants.W_OK);
  } catch {
    throw new InputError(`--drive file=${path}: cannot be ${readOnly || snapshot ? 'read' : 'read and written'} (permissions)${readOnly || snapshot ? '' : '; add readonly=on or snapshot=on to leave it unchanged'}`);
  }
  const backend = fileBackend(full, readOnly, snapshot);
  if (backend.size === 0) {
    backend.close();
    throw new InputError(`--drive file=${path}: the image is smaller than one ${SECTOR_SIZE}-byte sector`);
  }
  const device = new VirtioBlock(backend, kv.get('serial') ?? '');
  return { device, close: backend.close };
}

function virtioConsole(spec: string, io: Io, stdout: (bytes: Uint8Array) => void): VirtioConsole {
  const kv = keyValues('--virtio-console', spec, 'backend');
  const backend = kv.get('backend');
  if (backend === 'stdio') return new VirtioConsole(stdout);
  if (backend !== 'file') throw new UsageError(`--virtio-console '${spec}': give stdio or file,path=OUT[,input-path=IN]`);
  const out = kv.get('path');
  if (!out) throw new UsageError(`--virtio-console '${spec}': file needs path=OUT`);
  const inPath = kv.get('input-path');
  if (inPath !== undefined && !existsSync(resolve(io.cwd, inPath))) throw new InputError(`--virtio-console input-path=${inPath}: no such file`);
  const input = inPath === undefined ? undefined : new Uint8Array(readFileSync(resolve(io.cwd, inPath)));
  let pos = 0;
  const fd = openSync(resolve(io.cwd, out), 'w');
  return new VirtioConsole((bytes) => writeSync(fd, bytes), input && { peek: () => input[pos], take: () => void pos++ });
}

interface NetSetup {
  device: VirtioNet;
  open?(warn: (m: string) => void): Promise<OpenSockets>;
  finish(): void;
}

/**
 * `--netdev pcap,in=IN.pcap[,out=OUT.pcap]`: frames replayed at their timestamps, frames sent
 * captured; `stream,…` and `user,…` (netdev-options.ts) on host sockets. Each takes
 * `mac=52:54:00:12:34:56`.
 */
function netdev(spec: string, cwd: string): NetSetup {
  const kv = keyValues('--netdev', spec, 'backend');
  const backend = kv.get('backend');
  let mac: Uint8Array = DEFAULT_MAC;
  const macText = kv.get('mac');
  if (macText !== undefined) {
    const parsed = parseMac(macText);
    if (!parsed) throw new UsageError(`--netdev mac=${macText}: not a MAC address like 52:54:00:12:34:56`);
    mac = parsed;
  }
  if (backend === 'stream') {
    const s = parseStreamSpec(spec);
    const net = new StreamNetwork();
    return { device: new VirtioNet(net, mac), open: (warn) => openStream(s, net, warn), finish() {} };
  }
  if (backend === 'user') {
    const u = parseUserSpec(spec);
    const net = new UserNetwork(mac);
    return { device: new VirtioNet(net, mac), open: () => openUser(u.hostfwd, net), finish() {} };
  }
  if (backend !== 'pcap') throw new UsageError(`--netdev '${spec}': the backends are pcap,in=IN.pcap[,out=OUT.pcap], stream,server=on|off,addr.type=inet|unix,… and user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]`);
  for (const key of kv.keys()) {
    if (!['backend', 'in', 'out', 'mac', 'id'].includes(key)) throw new UsageError(`--netdev '${spec}': unknown key '${key}' (known: in, out, mac)`);
  }
  let input: TimedFrame[] = [];
  const inPath = kv.get('in');
  if (inPath !== undefined) {
    const full = resolve(cwd, inPath);
    if (!existsSync(full)) throw new InputError(`--netdev in=${inPath}: no such file`);
    const parsed = parsePcap(new Uint8Array(readFileSync(full)));
    if (typeof parsed === 'string') throw new InputError(`--netdev in=${inPath}: ${parsed}`);
    input = parsed;
  }
  const outPath = kv.get('out');
  const sent: TimedFrame[] = [];
  // Opened now, so that a path that cannot be written is an error before the run.
  const fd = outPath === undefined ? undefined : openOrFail(resolve(cwd, outPath), `--netdev out=${outPath}`);
  return {
    device: new VirtioNet(
      pcapBackend(input, (f) => sent.push(f)),
      mac,
    ),
    finish() {
      if (fd === undefined) return;
      writeSync(fd, pcapHeader());
      for (const f of sent) writeSync(fd, pcapRecord(f));
      closeSync(fd);
    },
  };
}

function openOrFail(path: string, what: string): number {
  try {
    return openSync(path, 'w');
  } catch (e) {
    throw new InputError(`${what}: cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Parse and open everything the options name; throws UsageError or InputError before anything runs. */
export function virtioSetup(opts: VirtioCliOptions, io: Io, consoleBytes: (bytes: Uint8Array) => void): VirtioSetup {
  let forceLegacy = true;
  for (const g of opts.global ?? []) {
    const m = /^virtio-mmio\.force-legacy=(true|false|on|off)$/.exec(g);
    if (!m) throw new UsageError(`--global '${g}': the one property sel4ts has is virtio-mmio.force-legacy=true|false`);
    forceLegacy = m[1] === 'true' || m[1] === 'on';
  }
  // Counted before any file is opened.
  const count = (opts.drive?.length ?? 0) + (opts.virtioConsole === undefined ? 0 : 1) + (opts.netdev?.length ?? 0);
  if (count > QEMU_VIRT.virtioMmio.count) throw new UsageError(`${count} virtio devices: the virt board has ${QEMU_VIRT.virtioMmio.count} virtio-mmio transports`);
  const drives = (opts.drive ?? []).map((d) => drive(d, io.cwd));
  const devices: VirtioDevice[] = drives.map((d) => d.device);
  if (opts.virtioConsole !== undefined) devices.push(virtioConsole(opts.virtioConsole, io, consoleBytes));
  const nets = (opts.netdev ?? []).map((n) => netdev(n, io.cwd));
  devices.push(...nets.map((n) => n.device));
  if (devices.length === 0) return { options: opts.global?.length ? { devices, forceLegacy } : undefined, openSockets: async () => {}, finish: () => {} };
  const warn = (m: string) => io.stderr(`sel4ts: warning: ${m}\n`);
  const sockets: OpenSockets[] = [];
  const closeSockets = () => {
    for (const s of sockets.splice(0)) s.close();
  };
  return {
    options: { devices, forceLegacy, warn },
    async openSockets() {
      try {
        for (const n of nets) if (n.open) sockets.push(await n.open(warn));
      } catch (e) {
        closeSockets();
        throw e;
      }
    },
    finish() {
      for (const d of drives) {
        d.device.store.flush();
        d.close();
      }
      for (const n of nets) n.finish();
      closeSockets();
    },
  };
}

/** The devices' rows for `run --stats`. */
export function printVirtioStats(io: Io, transports: readonly VirtioMmioTransport[]): void {
  const used = transports.filter((t) => t.device).reverse();
  if (used.length === 0) return;
  io.stderr(`\n${'virtio device'.padEnd(40)}counters\n`);
  for (const t of used) {
    const counters = [...t.device!.counters(), ['notifications', t.counters.notifications] as const, ['interrupts', t.counters.interrupts] as const];
    io.stderr(`${`${t.device!.name} 0x${t.base.toString(16)}`.padEnd(40)}${counters.map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  }
}
