/** What the buffer needs of an item: its place in the room and when it was sent. */
export interface Sequenced {
  readonly seq: number;
  readonly ts: number;
}

export interface RingBufferOptions<T> {
  maxItems: number;
  /** Items older than this (by `ts`) are dropped by `prune`. */
  maxAgeMs: number;
  /** Told about each item dropped, by the cap or by age, oldest first. */
  onEvict?: (item: T) => void;
}

/**
 * The last `maxItems` items and none older than `maxAgeMs`, whichever is fewer, oldest first.
 * Slots are allocated as items arrive, so an idle room does not hold a full-size array.
 */
export class RingBuffer<T extends Sequenced> {
  readonly maxItems: number;
  readonly maxAgeMs: number;
  readonly #onEvict: ((item: T) => void) | undefined;
  readonly #slots: (T | undefined)[] = [];
  #head = 0;
  #length = 0;

  constructor(options: RingBufferOptions<T>) {
    if (!Number.isInteger(options.maxItems) || options.maxItems < 1) {
      throw new RangeError(`expected maxItems to be a positive integer, got ${options.maxItems}`);
    }
    if (!(options.maxAgeMs > 0)) {
      throw new RangeError(`expected maxAgeMs to be a positive number, got ${options.maxAgeMs}`);
    }
    this.maxItems = options.maxItems;
    this.maxAgeMs = options.maxAgeMs;
    this.#onEvict = options.onEvict;
  }

  get length(): number {
    return this.#length;
  }

  get oldest(): T | undefined {
    return this.#length === 0 ? undefined : this.#at(0);
  }

  get newest(): T | undefined {
    return this.#length === 0 ? undefined : this.#at(this.#length - 1);
  }

  /** Adds the newest item, dropping the oldest when full. Seqs must rise. */
  append(item: T): void {
    const newest = this.newest;
    if (newest !== undefined && item.seq <= newest.seq) {
      throw new RangeError(`expected a seq above ${newest.seq}, got ${item.seq}`);
    }
    if (this.#length === this.maxItems) this.#dropOldest();
    this.#slots[this.#slot(this.#length)] = item;
    this.#length++;
  }

  /** Drops items older than `maxAgeMs` at `nowMs`; returns how many went. */
  prune(nowMs: number): number {
    let dropped = 0;
    for (let oldest = this.oldest; oldest !== undefined; oldest = this.oldest) {
      if (nowMs - oldest.ts <= this.maxAgeMs) break;
      this.#dropOldest();
      dropped++;
    }
    return dropped;
  }

  /** Items with a seq above `afterSeq`, oldest first. */
  since(afterSeq: number): T[] {
    return this.#slice(this.#firstAfter(afterSeq));
  }

  /** The item with this seq, if it is retained. */
  bySeq(seq: number): T | undefined {
    const index = this.#firstAfter(seq - 1);
    const item = index < this.#length ? this.#at(index) : undefined;
    return item?.seq === seq ? item : undefined;
  }

  /** Binary search for the index of the first item past `afterSeq`: seqs rise oldest to newest. */
  #firstAfter(afterSeq: number): number {
    let low = 0;
    let high = this.#length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#at(middle).seq > afterSeq) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  toArray(): T[] {
    return this.#slice(0);
  }

  #slice(from: number): T[] {
    const items: T[] = [];
    for (let i = from; i < this.#length; i++) items.push(this.#at(i));
    return items;
  }

  #at(index: number): T {
    return this.#slots[this.#slot(index)] as T;
  }

  /** Where the item `index` places from the oldest sits. A wrap, not `%`: this is the hot path,
   * and a `%` whose operands V8 keeps as doubles is a call to fmod. */
  #slot(index: number): number {
    const slot = this.#head + index;
    return slot < this.maxItems ? slot : slot - this.maxItems;
  }

  #dropOldest(): void {
    const item = this.#at(0);
    this.#slots[this.#head] = undefined;
    this.#head = this.#slot(1);
    this.#length--;
    this.#onEvict?.(item);
  }
}
