import type { TestVirtioDriver } from './virtio-driver.js';
import type { NetBackend } from '../../src/machine/devices/virtio/net.js';
import type { HostInbox } from '../../src/machine/net/host-inbox.js';
import type { Link } from './net-guest.js';

/**
 * A scripted guest's link straight to a live network backend (no device): frames go in with
 * the current virtual time; waiting for the host moves virtual time 1 ms per round.
 */
export function backendLink(net: NetBackend & { inbox: HostInbox }): Link & { now(): number } {
  let now = 0;
  return {
    now: () => now,
    send: (f) => net.send({ timeNs: now, bytes: f }),
    async next() {
      for (let i = 0; i < 500; i++) {
        net.poll?.(now);
        const f = net.peek();
        if (f) {
          net.take();
          return f.bytes;
        }
        await Promise.race([net.inbox.wait(), new Promise((r) => setTimeout(r, 10))]);
        now += 1e6;
      }
      throw new Error('the network sent nothing for 5 s');
    },
  };
}

/**
 * A scripted guest's link through a virtio-net device on the highest transport of `machine`,
 * as a driver uses it: receive buffers posted on queue 0 (refilled as they are used), frames
 * sent on queue 1, each behind a 12-byte virtio_net_hdr.
 */
export function deviceLink(driver: TestVirtioDriver, inbox: HostInbox): Link {
  const RX = 0x4020_0000;
  const TX = 0x4030_0000;
  const HDR = 12;
  const buffers = new Map<number, number>();
  const post = (addr: number) => buffers.set(driver.offer(0, [{ addr, len: 2048, write: true }]), addr);
  for (let i = 0; i < 4; i++) post(RX + i * 0x1000);
  const pending: Uint8Array[] = [];
  const mem = driver.machine.memory;
  return {
    send(frame) {
      mem.write(TX, new Uint8Array(HDR));
      mem.write(TX + HDR, frame);
      driver.offer(1, [
        { addr: TX, len: HDR },
        { addr: TX + HDR, len: frame.length },
      ]);
      driver.takeUsed(1);
    },
    async next() {
      for (let i = 0; i < 500; i++) {
        driver.machine.virtio[31]!.poll();
        for (const u of driver.takeUsed(0)) {
          const addr = buffers.get(u.id)!;
          pending.push(mem.read(addr + HDR, u.len - HDR));
          post(addr);
        }
        if (pending.length > 0) return pending.shift()!;
        await Promise.race([inbox.wait(), new Promise((r) => setTimeout(r, 10))]);
      }
      throw new Error('the device received nothing for 5 s');
    },
  };
}
