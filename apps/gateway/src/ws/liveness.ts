import { CLOSE_CODES } from "@clofri/protocol";
import type { Rooms } from "../chat/rooms.ts";
import type { Connection } from "./connection.ts";

export interface LivenessOptions {
  rooms: Rooms;
  /** The gateway's wall clock. */
  now: () => number;
  /** Without activity for this long a connection counts as idle. */
  idleAfterMs: number;
  /** Without any frame for this long a connection is closed (4000). */
  heartbeatTimeoutMs: number;
}

/**
 * Whether each connection is alive, and active or idle. Time-driven changes happen in `sweep`,
 * which the real-time layer runs on an interval (and tests call after moving the clock).
 */
export class Liveness {
  readonly #options: LivenessOptions;

  constructor(options: LivenessOptions) {
    this.#options = options;
  }

  frameReceived(conn: Connection): void {
    conn.lastFrameMs = this.#options.now();
  }

  /** The person did something: sent, typed, or said they are back. */
  markActive(conn: Connection): void {
    conn.lastActivityMs = this.#options.now();
    conn.isIdleDeclared = false;
    this.refreshIdle(conn);
  }

  /** A heartbeat said the person is away (tab hidden, no input). */
  declareIdle(conn: Connection): void {
    conn.isIdleDeclared = true;
    this.refreshIdle(conn);
  }

  /** Tells the rooms the connection joined when its status changed. */
  refreshIdle(conn: Connection): void {
    const isIdle =
      conn.isIdleDeclared || this.#options.now() - conn.lastActivityMs >= this.#options.idleAfterMs;
    if (isIdle === conn.isIdle) return;
    conn.isIdle = isIdle;
    for (const groupId of conn.joined) {
      this.#options.rooms.setIdle(groupId, { connId: conn.id, userId: conn.userId, isIdle });
    }
  }

  /**
   * Closes the silent (4000) and moves the inactive to idle. (Unsent output has its own, more
   * frequent check: `Realtime`.) `connections` may be a live Map iterator: a close deletes the
   * entry being visited, which a Map's iteration allows.
   */
  sweep(connections: Iterable<Connection>): void {
    const nowMs = this.#options.now();
    for (const conn of connections) {
      if (nowMs - conn.lastFrameMs >= this.#options.heartbeatTimeoutMs) {
        conn.close(CLOSE_CODES.heartbeatTimeout, "no frame for too long");
        continue;
      }
      this.refreshIdle(conn);
    }
  }
}
