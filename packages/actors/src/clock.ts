/** Time source for actor timers, call deadlines and restart windows; tests inject a ManualClock. */
export interface Clock {
  /** Milliseconds; must never go backwards. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Optional: lets an armed timer stop holding the process open while nothing waits on it. */
  setKeepAlive?(handle: unknown, isKeptAlive: boolean): void;
}

// performance.now() is monotonic and sub-millisecond: deadlines survive wall-clock jumps and
// handling times are measurable. Adding timeOrigin keeps values close to epoch milliseconds.
const timeOriginMs = performance.timeOrigin;

export const realClock: Clock = {
  now: () => timeOriginMs + performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setKeepAlive(handle, isKeptAlive) {
    const timeout = handle as NodeJS.Timeout;
    if (isKeptAlive) timeout.ref();
    else timeout.unref();
  },
};
