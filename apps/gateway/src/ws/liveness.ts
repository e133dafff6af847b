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
  /** A connection turned idle or active (the person's status may follow). */
  onIdleChanged?: (conn: Connection) => void;
}

/** A socket whose session cannot be confirmed this long after it opened is closed (1001). */
const ADMISSION_TIMEOUT_MS = 10_000;

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
    const { id: connId, userId } = conn;
    for (const groupId of conn.joinedRooms) {
      this.#options.rooms.cast(groupId, { type: "set_idle", connId, userId, isIdle });
    }
    if (conn.isAdmitted) this.#options.onIdleChanged?.(conn);
  }

  /**
   * Closes the silent (4000) and the ones never admitted in time (1001), and moves the inactive
   * to idle. (Unsent output has its own, more frequent check: `Realtime`.) `connections` may be a
   * live Map iterator: a close deletes the entry being visited, which a Map's iteration allows.
   */
  sweep(connections: Iterable<Connection>): void {
    const nowMs = this.#options.now();
    for (const conn of connections) {
      if (!conn.isAdmitted) {
        if (nowMs - conn.openedAtMs >= ADMISSION_TIMEOUT_MS) {
          conn.close(CLOSE_CODES.goingAway, "cannot sign you in right now; try again shortly");
        }
        continue;
      }
      if (nowMs - conn.lastFrameMs >= this.#options.heartbeatTimeoutMs) {
        conn.close(CLOSE_CODES.heartbeatTimeout, "no frame for too long");
        continue;
      }
      this.refreshIdle(conn);
    }
  }
}
