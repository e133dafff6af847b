import type { ExitReason } from "./exit-reason.ts";
import { rethrowLater } from "./rethrow-later.ts";

/** An actor's exit for good: set once, heard by every listener, late ones included. */
export class ExitSignal {
  #reason: ExitReason | undefined;
  #listeners: ((reason: ExitReason) => void)[] = [];

  get reason(): ExitReason | undefined {
    return this.#reason;
  }

  /** Resolves with the exit reason, at once if the actor has exited already. */
  wait(): Promise<ExitReason> {
    const reason = this.#reason;
    if (reason !== undefined) return Promise.resolve(reason);
    return new Promise((resolve) => this.#listeners.push(resolve));
  }

  /** Returns the unsubscribe function; a listener added after the exit runs at once. */
  listen(listener: (reason: ExitReason) => void): () => void {
    const reason = this.#reason;
    if (reason !== undefined) {
      listener(reason);
      return noop;
    }
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((other) => other !== listener);
    };
  }

  /** A throwing listener is rethrown later: the others still hear of the exit. */
  fire(reason: ExitReason): void {
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch (error) {
        rethrowLater(error);
      }
    }
  }
}

function noop(): void {}
