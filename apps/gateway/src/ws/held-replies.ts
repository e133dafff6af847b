import type { Logger } from "../obs/logger.ts";
import type { Connection } from "./connection.ts";

/**
 * Replies sent at the end of this event-loop turn, corked with what the turn published to the
 * same socket (its own copy of a message first): one write per socket per turn, not two
 * (25 % fewer send() calls in rooms of 8, docs/BENCHMARKS.md). A server close sends them first.
 */
export class HeldReplies {
  readonly #logger: Logger;
  /** Connections with replies held for this turn's immediate phase. */
  #holding: Connection[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  hold(conn: Connection, text: string): void {
    if (!conn.hold(text)) return;
    this.#holding.push(conn);
    if (this.#holding.length === 1) setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    const holding = this.#holding;
    this.#holding = [];
    for (const conn of holding) {
      // One socket's failure must not cost the others their replies, nor reach the event loop.
      try {
        conn.flushHeld();
      } catch (error) {
        this.#logger.error({ event: "ws_held_replies_failed", connId: conn.id, err: error });
      }
    }
  };
}
