import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../src/machine/memory/physical-memory.js';

describe('physical memory', () => {
  const ram = () => new PhysicalMemory(0x4000_0000, 0x8000_0000);

  it('allocates RAM lazily, 2 MiB at a time, reading zero until written', () => {
    const m = ram();
    expect(m.allocatedBytes).toBe(0);
    expect(m.read32(0xbfff_fffc)).toBe(0);
    expect(m.allocatedBytes).toBe(2 * 1024 * 1024);
    m.write64(0x4000_0000, 0x0102030405060708n);
    expect(m.allocatedBytes).toBe(4 * 1024 * 1024);
    expect(m.read64(0x4000_0000)).toBe(0x0102030405060708n);
  });

  it('reads, writes and zeroes across page and chunk boundaries', () => {
    const m = ram();
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
    const at = 0x4020_0000 - 5000; // straddles a 2 MiB chunk
    m.write(at, data);
    expect(m.read(at, data.length)).toEqual(data);
    m.zero(at + 100, 8000);
    const back = m.read(at, data.length);
    expect(back.subarray(100, 8100).every((b) => b === 0)).toBe(true);
    expect(back[99]).toBe(data[99]);
    expect(back[8100]).toBe(data[8100]);
  });

  it('zeroes without allocating what was never written', () => {
    const m = ram();
    m.write32(0x4000_1000, 7);
    m.zero(0x4000_0000, 0x4000_0000); // 1 GiB, one chunk of it allocated
    expect(m.allocatedBytes).toBe(2 * 1024 * 1024);
    expect(m.read32(0x4000_1000)).toBe(0);
  });

  it('dispatches device pages and refuses what is neither RAM nor a device', () => {
    const m = ram();
    const seen: string[] = [];
    m.addDevice(0x0900_0000, 0x2000, {
      name: 'probe',
      read: (off, size) => (seen.push(`r${off}/${size}`), 0x1234),
      write: (off, size, v) => void seen.push(`w${off}/${size}=${v}`),
    });
    expect(m.readDevice32(0x0900_1004)).toBe(0x1234);
    m.writeDevice32(0x0900_0010, 5);
    expect(seen).toEqual(['r4100/4', 'w16/4=5']);
    expect(m.page(0x0a00_0000 / 4096)).toBeUndefined();
    expect(() => m.read32(0x0900_0000)).toThrow(/0x9000000 is not RAM/);
    expect(() => m.readDevice32(0x4000_0000)).toThrow(/not an aligned device register/);
    expect(() => m.writeDevice32(0x0a00_0000, 1)).toThrow(/not an aligned device register/);
  });
});
