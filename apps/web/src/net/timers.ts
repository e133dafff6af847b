// Every timer the socket starts goes through one Timers, so a close can clear them all at once
// and none outlives the socket it was for.
export type Cancel = () => void;

export class Timers {
  readonly #timeouts = new Set<ReturnType<typeof setTimeout>>();
  readonly #intervals = new Set<ReturnType<typeof setInterval>>();

  after(delayMs: number, run: () => void): Cancel {
    const timer = setTimeout(() => {
      this.#timeouts.delete(timer);
      run();
    }, delayMs);
    this.#timeouts.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timeouts.delete(timer);
    };
  }

  every(periodMs: number, run: () => void): Cancel {
    const timer = setInterval(run, periodMs);
    this.#intervals.add(timer);
    return () => {
      clearInterval(timer);
      this.#intervals.delete(timer);
    };
  }

  clearAll(): void {
    for (const timer of this.#timeouts) clearTimeout(timer);
    for (const timer of this.#intervals) clearInterval(timer);
    this.#timeouts.clear();
    this.#intervals.clear();
  }
}
