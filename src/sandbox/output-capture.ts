// Keeps the head and the tail of a stream within a byte budget, however much is written: a
// program's first lines say what it is doing and its last lines say how it failed.

export class HeadTailCapture {
  readonly #headCap: number;
  readonly #tailCap: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer = Buffer.alloc(0);
  #total = 0;

  constructor(capBytes: number) {
    this.#headCap = Math.ceil(capBytes / 2);
    this.#tailCap = Math.floor(capBytes / 2);
  }

  write(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#headCap) {
      const take = rest.subarray(0, this.#headCap - this.#headBytes);
      this.#head.push(Buffer.from(take));
      this.#headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0 || this.#tailCap === 0) return;
    // Only the last tailCap bytes can ever be kept, so a huge chunk is cut before copying.
    const combined = Buffer.concat([this.#tail, rest.subarray(Math.max(0, rest.length - this.#tailCap))]);
    this.#tail = combined.subarray(Math.max(0, combined.length - this.#tailCap));
  }

  get totalBytes(): number {
    return this.#total;
  }

  /** The kept text; a marker in the middle says how much was left out. */
  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const omitted = this.#total - this.#headBytes - this.#tail.length;
    if (omitted <= 0) return head + this.#tail.toString('utf8');
    return `${head}\n[… ${omitted.toLocaleString('en-US')} bytes omitted …]\n${this.#tail.toString('utf8')}`;
  }
}
