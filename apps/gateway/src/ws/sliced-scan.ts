/**
 * Visits every value of a live Map about once per `periodMs`, each `step` the share its delay is
 * due (a late step visits more): one pass over thousands of sockets held the event loop. A Map's
 * iterator follows inserts and deletes, so values added mid-pass are reached, deleted ones not.
 */
export class SlicedScan<V> {
  readonly #map: ReadonlyMap<unknown, V>;
  readonly #periodMs: number;
  readonly #visit: (value: V) => void;
  #cursor: IterableIterator<V>;
  #lastStepAtMs: number;

  constructor(options: {
    map: ReadonlyMap<unknown, V>;
    periodMs: number;
    /** May delete the value it is given from the map (a Map's iteration allows it). */
    visit: (value: V) => void;
    nowMs: number;
  }) {
    this.#map = options.map;
    this.#periodMs = options.periodMs;
    this.#visit = options.visit;
    this.#cursor = options.map.values();
    this.#lastStepAtMs = options.nowMs;
  }

  step(nowMs: number): void {
    const dueShare = Math.min(1, Math.max(0, nowMs - this.#lastStepAtMs) / this.#periodMs);
    this.#lastStepAtMs = nowMs;
    if (this.#map.size === 0) {
      // A parked iterator holds the table it last stood on, deleted entries and all, until its
      // next step: let an emptied map's go.
      this.#cursor = this.#map.values();
      return;
    }
    let left = Math.ceil(this.#map.size * dueShare);
    // At most one restart: a slice is never more than all the values.
    for (let pass = 0; left > 0 && pass < 2; pass++) {
      // Leaving the loop early keeps the iterator where it was: a Map's has no `return`.
      for (const value of this.#cursor) {
        this.#visit(value);
        if (--left === 0) return;
      }
      this.#cursor = this.#map.values();
    }
  }
}
