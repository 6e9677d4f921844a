/**
 * The bytes a program gets for AT_RANDOM and from getrandom(2): a fixed pseudo-random stream
 * (SplitMix32 from a seed), so that every run of a program is the same run.
 */
export class DeterministicRandom {
  private state: number;

  constructor(seed = 0x5e14_75) {
    this.state = seed >>> 0;
  }

  private next32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const w = this.next32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
