import type { Clock } from "./clock.ts";

/** Something due at a point in time; the queue writes the three bookkeeping fields. */
export interface Deadline {
  dueAt: number;
  seq: number;
  /** Position in the heap, -1 when not scheduled. */
  heapIndex: number;
  onDeadline(): void;
}

// Node turns larger delays into 1 ms; an early wake-up simply re-arms.
const MAX_TIMER_DELAY_MS = 2_147_483_647;

const queuesByClock = new WeakMap<Clock, DeadlineQueue>();

/** One queue per clock, so every actor on that clock shares a single real timer. */
export function deadlinesFor(clock: Clock): DeadlineQueue {
  let queue = queuesByClock.get(clock);
  if (queue === undefined) {
    queue = new DeadlineQueue(clock);
    queuesByClock.set(clock, queue);
  }
  return queue;
}

/**
 * Indexed min-heap of deadlines (ordered by due time, then by scheduling order) driven by at
 * most one clock timer. The timer is left armed when entries are cancelled: a call that is
 * answered in time costs a heap push and pop, never a setTimeout/clearTimeout pair.
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #heap: Deadline[] = [];
  #nextSeq = 0;
  #timer: unknown;
  #armedAt = Number.POSITIVE_INFINITY;
  #isKeptAlive = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#heap.length;
  }

  schedule(entry: Deadline, delayMs: number): void {
    entry.dueAt = this.#clock.now() + delayMs;
    entry.seq = this.#nextSeq++;
    entry.heapIndex = this.#heap.length;
    this.#heap.push(entry);
    this.#siftUp(entry.heapIndex);
    if (entry.dueAt < this.#armedAt) this.#arm(entry.dueAt);
    else if (!this.#isKeptAlive) this.#keepAlive(true);
  }

  /** Returns false when the entry was not scheduled (already fired or cancelled). */
  cancel(entry: Deadline): boolean {
    const index = entry.heapIndex;
    if (index < 0) return false;
    this.#removeAt(index);
    if (this.#heap.length === 0 && this.#isKeptAlive) this.#keepAlive(false);
    return true;
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    this.#isKeptAlive = false;
    const heap = this.#heap;
    const nowMs = this.#clock.now();
    try {
      for (let first = heap[0]; first !== undefined && first.dueAt <= nowMs; first = heap[0]) {
        this.#removeAt(0);
        first.onDeadline();
      }
    } finally {
      const first = heap[0];
      if (first !== undefined && first.dueAt < this.#armedAt) this.#arm(first.dueAt);
    }
  };

  #arm(dueAt: number): void {
    const clock = this.#clock;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    const delayMs = Math.min(Math.max(dueAt - clock.now(), 0), MAX_TIMER_DELAY_MS);
    this.#timer = clock.setTimeout(this.#onTimer, delayMs);
    this.#armedAt = dueAt;
    this.#isKeptAlive = true;
  }

  #keepAlive(isKeptAlive: boolean): void {
    this.#isKeptAlive = isKeptAlive;
    if (this.#timer !== undefined) this.#clock.setKeepAlive?.(this.#timer, isKeptAlive);
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const removed = heap[index];
    const last = heap.pop();
    if (removed === undefined || last === undefined) return;
    removed.heapIndex = -1;
    if (index < heap.length) {
      heap[index] = last;
      last.heapIndex = index;
      this.#siftDown(index);
      this.#siftUp(last.heapIndex);
    }
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index];
    if (entry === undefined) return;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || !isEarlier(entry, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const entry = heap[index];
    if (entry === undefined) return;
    for (;;) {
      const leftIndex = 2 * index + 1;
      const left = heap[leftIndex];
      if (left === undefined) break;
      const right = heap[leftIndex + 1];
      const isRightEarlier = right !== undefined && isEarlier(right, left);
      const childIndex = isRightEarlier ? leftIndex + 1 : leftIndex;
      const child = isRightEarlier ? right : left;
      if (!isEarlier(child, entry)) break;
      heap[index] = child;
      child.heapIndex = index;
      index = childIndex;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }
}

function isEarlier(a: Deadline, b: Deadline): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
}
