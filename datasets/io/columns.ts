/**
 * Rating columns that grow while a file is parsed: typed arrays doubled when full (amortized
 * O(1) per row, no per-row objects), trimmed to size at the end.
 */
export class RatingColumns {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  timestamps: Int32Array | null;
  length = 0;

  constructor(capacity: number, withTimestamps: boolean) {
    const n = Math.max(1024, Math.ceil(capacity));
    this.users = new Int32Array(n);
    this.items = new Int32Array(n);
    this.ratings = new Float32Array(n);
    this.timestamps = withTimestamps ? new Int32Array(n) : null;
  }

  push(user: number, item: number, rating: number, time: number): void {
    if (this.length === this.users.length) this.grow();
    const k = this.length++;
    this.users[k] = user;
    this.items[k] = item;
    this.ratings[k] = rating;
    if (this.timestamps) this.timestamps[k] = time;
  }

  private grow(): void {
    const n = this.users.length * 2;
    const g = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.users = g(this.users, (m) => new Int32Array(m));
    this.items = g(this.items, (m) => new Int32Array(m));
    this.ratings = g(this.ratings, (m) => new Float32Array(m));
    if (this.timestamps) this.timestamps = g(this.timestamps, (m) => new Int32Array(m));
  }

  /** The filled part; copies only when much capacity is unused (else a view, no copy). */
  finish(): { users: Int32Array; items: Int32Array; ratings: Float32Array; timestamps?: Int32Array } {
    const n = this.length;
    const cut = <T extends Int32Array | Float32Array>(a: T): T => (a.length > n * 1.25 + 1024 ? a.slice(0, n) : a.subarray(0, n)) as T;
    const out = { users: cut(this.users), items: cut(this.items), ratings: cut(this.ratings), timestamps: this.timestamps ? cut(this.timestamps) : undefined };
    return out;
  }
}
