import { CLOSE_CODES } from "@clofri/protocol";
import type { Sessions, ValidSession } from "../auth/sessions.ts";
import type { Activity } from "../chat/room-activity.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics, UpgradeRefusal } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import type { UserDirectory } from "./users/user-directory.ts";
import type { UserState } from "./users/user-state.ts";

export interface AdmissionDeps {
  sessions: Pick<Sessions, "validateId">;
  directory: Pick<UserDirectory, "acquire" | "release">;
  index: ConnectionIndex;
  /** Sockets one person may hold at once; a newer one is closed with 4029. */
  maxSocketsPerUser: number;
  /** The person's sockets on other gateways (cluster mode), counted against the cap too. */
  socketsElsewhere?: (userId: string) => number;
  logger: Logger;
  metrics: Pick<GatewayMetrics, "upgradeRefused">;
  /** Cluster mode: what the person has not seen in rooms other gateways own, for the hello. */
  activityElsewhere?: (userId: string, groupIds: string[]) => Promise<Map<string, Activity>>;
  /** The socket is admitted: its hello goes out, then the frames it sent before. */
  onAdmitted(conn: Connection, elsewhere?: ReadonlyMap<string, Activity>): void;
}

/** Why a socket was closed before its hello, for the log line (never the token). */
type Refusal = "invalid_session" | "user_gone" | "too_many_sockets" | "database_unavailable";

/** How each refusal closes the socket, and how the metrics count it. */
const REFUSALS: Record<Refusal, { code: number; reason: string; metric: UpgradeRefusal }> = {
  invalid_session: {
    code: CLOSE_CODES.sessionEnded,
    reason: "session ended; sign in again",
    metric: "unauthorized",
  },
  user_gone: {
    code: CLOSE_CODES.sessionEnded,
    reason: "session ended; sign in again",
    metric: "unauthorized",
  },
  too_many_sockets: {
    code: CLOSE_CODES.tooManySockets,
    reason: "too many connections open for this person",
    metric: "too_many_sockets",
  },
  database_unavailable: {
    code: CLOSE_CODES.goingAway,
    reason: "cannot sign you in right now; try again shortly",
    metric: "unavailable",
  },
};

/**
 * Confirms an open socket's session and loads its person, then admits it. Until then the socket
 * is findable by its session (and by its person once known), so a session that ends meanwhile
 * closes it whatever the interleaving; a session that ended gets 4001 and never a hello.
 */
export class Admission {
  readonly #deps: AdmissionDeps;

  constructor(deps: AdmissionDeps) {
    this.#deps = deps;
  }

  /** Never rejects: what can go wrong closes the socket with a documented code. */
  admit(conn: Connection): void {
    this.#admit(conn).catch((error: unknown) => {
      this.#deps.logger.error({ event: "ws_admission_failed", connId: conn.id, err: error });
      this.#refuse(conn, "database_unavailable");
    });
  }

  async #admit(conn: Connection): Promise<void> {
    const { directory, index } = this.#deps;
    let session: ValidSession | undefined;
    try {
      session = await this.#deps.sessions.validateId(conn.sessionId);
    } catch (error) {
      return this.#unavailable(conn, error);
    }
    if (conn.isClosed) return;
    if (session === undefined) return this.#refuse(conn, "invalid_session");
    const { userId } = session;
    conn.identify(userId);
    index.identified(conn);

    let state: UserState | undefined;
    try {
      state = await directory.acquire(userId);
    } catch (error) {
      return this.#unavailable(conn, error);
    }
    if (state === undefined) return this.#refuse(conn, "user_gone");
    // Before the socket cap's check, which must meet `admit` in the same turn (no await between).
    const ask = this.#deps.activityElsewhere;
    const elsewhere = ask && (await ask(userId, [...state.groups.keys()]));
    // Closed meanwhile (the session ended, the client left, shutdown): nobody holds the state.
    if (conn.isClosed) return directory.release(userId);
    const socketsElsewhere = this.#deps.socketsElsewhere?.(userId) ?? 0;
    if (index.admittedCountOf(userId) + socketsElsewhere >= this.#deps.maxSocketsPerUser) {
      directory.release(userId);
      return this.#refuse(conn, "too_many_sockets");
    }
    conn.admit(state);
    this.#deps.onAdmitted(conn, elsewhere);
  }

  #unavailable(conn: Connection, error: unknown): void {
    this.#deps.logger.warn({ event: "ws_admission_unavailable", connId: conn.id, err: error });
    this.#refuse(conn, "database_unavailable");
  }

  #refuse(conn: Connection, why: Refusal): void {
    if (conn.isClosed) return;
    const refusal = REFUSALS[why];
    this.#deps.metrics.upgradeRefused(refusal.metric);
    this.#deps.logger.info({
      event: "ws_admission_refused",
      reason: why,
      connId: conn.id,
      ...(conn.isIdentified ? { userId: conn.userId } : {}),
    });
    conn.close(refusal.code, refusal.reason);
  }
}
