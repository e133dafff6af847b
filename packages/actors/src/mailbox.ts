export const DEFAULT_MAILBOX_CAPACITY = 10_000;

const INITIAL_SLOTS = 16;

/**
 * Bounded FIFO ring buffer with a single consumer. Slots grow by doubling up to the capacity,
 * so thousands of mostly idle actors do not each hold a capacity-sized array.
 */
export class Mailbox<T> {
  readonly capacity: number;
  #slots: (T | undefined)[];
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(capacity: number = DEFAULT_MAILBOX_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `expected a mailbox capacity that is a positive integer, got ${capacity}`,
      );
    }
    this.capacity = capacity;
    this.#slots = Array.from({ length: INITIAL_SLOTS });
    this.#mask = INITIAL_SLOTS - 1;
  }

  get length(): number {
    return this.#length;
  }

  get isFull(): boolean {
    return this.#length >= this.capacity;
  }

  /** Returns false, leaving the mailbox unchanged, when it is full. */
  push(item: T): boolean {
    if (this.#length >= this.capacity) return false;
    this.pushUnbounded(item);
    return true;
  }

  /** For messages the actor scheduled for itself (timers): they may exceed the capacity. */
  pushUnbounded(item: T): void {
    if (this.#length === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Removes the oldest item; check `length` first. */
  shift(): T {
    const head = this.#head;
    const item = this.#slots[head] as T;
    this.#slots[head] = undefined;
    this.#head = (head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  #grow(): void {
    const old = this.#slots;
    const slots: (T | undefined)[] = Array.from({ length: old.length * 2 });
    for (let i = 0; i < this.#length; i++) slots[i] = old[(this.#head + i) & this.#mask];
    this.#slots = slots;
    this.#mask = slots.length - 1;
    this.#head = 0;
  }
}
