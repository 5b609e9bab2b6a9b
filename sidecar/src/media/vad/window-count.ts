/** How many of the last `capacity` flags pushed were true (pure; a ring, so a push is O(1)). */
export class WindowCount {
  private readonly flags: Uint8Array;
  private next = 0;
  private filled = 0;
  private trueFlags = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new Error(`window count: capacity must be a whole number > 0, got ${capacity}`);
    this.flags = new Uint8Array(capacity);
  }

  push(flag: boolean): void {
    if (this.filled === this.flags.length) this.trueFlags -= this.flags[this.next] ?? 0;
    else this.filled++;
    this.flags[this.next] = flag ? 1 : 0;
    if (flag) this.trueFlags++;
    this.next = (this.next + 1) % this.flags.length;
  }

  /** True flags among the last `capacity` pushed. */
  get count(): number {
    return this.trueFlags;
  }
}
