/** Bytes appended at the end and consumed from the front, read at any offset in between (a TCP send buffer). */
export class ByteQueue {
  private data = new Uint8Array(4096);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  append(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.data.length) {
      const length = this.length;
      const grown = length + bytes.length > this.data.length ? new Uint8Array(Math.max(this.data.length * 2, length + bytes.length)) : this.data;
      // (set copies first when source and target share a buffer)
      grown.set(this.data.subarray(this.start, this.end), 0);
      this.data = grown;
      this.start = 0;
      this.end = length;
    }
    this.data.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** A copy of `length` bytes from `offset` (counted from the front). */
  read(offset: number, length: number): Uint8Array {
    return this.data.slice(this.start + offset, this.start + offset + length);
  }

  consume(n: number): void {
    this.start += Math.min(n, this.length);
  }
}
