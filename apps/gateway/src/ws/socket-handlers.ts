import type { WebSocket } from "uWebSockets.js";
import { CLOSE_CODES, encode, LIMITS } from "@clofri/protocol";
import type { SessionsEnded } from "../auth/sessions.ts";
import type { Activity } from "../chat/room-activity.ts";
import type { Rooms } from "../chat/rooms.ts";
import type { UserPresence } from "../chat/user-presence.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { PresenceReader } from "../social/presence.ts";
import { Connection, type EarlyFrame, type SocketData } from "./connection.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import type { FrameHandler } from "./frame-handler.ts";
import { helloFrame } from "./hello.ts";
import type { Liveness } from "./liveness.ts";
import { presenceTopic, userTopic } from "./topics.ts";
import type { UserDirectory } from "./users/user-directory.ts";

export interface SocketHandlersDeps {
  config: Config;
  logger: Logger;
  metrics: GatewayMetrics;
  now: () => number;
  /** Every open socket by connection id. */
  connections: Map<string, Connection>;
  index: ConnectionIndex;
  liveness: Liveness;
  frames: FrameHandler;
  rooms: Rooms;
  userPresence: UserPresence;
  directory: UserDirectory;
  presence: PresenceReader;
  /** Confirms the session of a socket that just opened; `admitted` follows if it holds. */
  admit(conn: Connection): void;
  /** A person's sockets here changed (one admitted, one closed). */
  onSocketsChanged?: (userId: string) => void;
  /** Cluster mode: the other gateways hear of a socket's person before its hello goes out. */
  isClustered?: boolean;
  isShuttingDown(): boolean;
}

/** Decodes text frames as `Buffer#toString` did, a bit cheaper; a BOM is kept (JSON refuses it). */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** One socket's life: open, admitted (its hello), each message, close. */
export class SocketHandlers {
  readonly #deps: SocketHandlersDeps;

  constructor(deps: SocketHandlersDeps) {
    this.#deps = deps;
  }

  onOpen(ws: WebSocket<SocketData>): void {
    const { config, connections, index, metrics, now } = this.#deps;
    const conn = new Connection(ws, {
      maxBufferedBytes: config.limits.maxBackpressureBytes,
      nowMs: now(),
      metrics,
    });
    ws.getUserData().conn = conn;
    if (this.#deps.isShuttingDown()) {
      conn.close(CLOSE_CODES.goingAway, "server shutting down");
      return;
    }
    connections.set(conn.id, conn);
    index.add(conn);
    metrics.connectionOpened();
    this.#deps.admit(conn);
  }

  /** The session is confirmed and the state loaded: hello, topics, presence, then early frames. */
  admitted(conn: Connection, elsewhere?: ReadonlyMap<string, Activity>): void {
    if (!this.#deps.isClustered) {
      this.#greet(conn, elsewhere);
      if (!conn.isClosed) this.#arrive(conn);
      return;
    }
    // In a cluster the person's arrival goes to the other gateways first, and the hello after it
    // (NATS writes at the end of this microtask): a tab this client closes next, on another
    // gateway, cannot tell them "gone" before they hear of this one (no offline-online flap).
    this.#deps.userPresence.connect(conn.userId, conn.id);
    this.#deps.onSocketsChanged?.(conn.userId);
    queueMicrotask(() => {
      if (!conn.isClosed) this.#greet(conn, elsewhere);
      if (!conn.isClosed) this.#takeEarly(conn);
    });
  }

  /** The hello, then the topics: nothing can be published between these synchronous steps. */
  #greet(conn: Connection, elsewhere?: ReadonlyMap<string, Activity>): void {
    const { config, directory, now, rooms } = this.#deps;
    const state = conn.state;
    if (state === undefined) throw new Error(`connection ${conn.id} admitted without a state`);
    const activity = (groupId: string) =>
      elsewhere?.get(groupId) ?? rooms.activityOf(groupId, conn.userId);
    conn.send(encode(helloFrame(state, this.#deps.presence, config, now(), activity)));
    if (conn.isClosed) return;
    conn.subscribe(userTopic(conn.userId));
    for (const groupId of state.groups.keys()) {
      conn.subscribe(directory.intern(presenceTopic(groupId)));
    }
  }

  /** One gateway: the person is here now, then what the socket sent before its hello. */
  #arrive(conn: Connection): void {
    this.#deps.userPresence.connect(conn.userId, conn.id);
    this.#deps.onSocketsChanged?.(conn.userId);
    this.#takeEarly(conn);
  }

  #takeEarly(conn: Connection): void {
    this.#deps.logger.info({ event: "ws_open", userId: conn.userId, connId: conn.id });
    for (const frame of conn.takeEarly()) {
      if (conn.isClosed) return;
      this.#handleFrame(conn, frame);
    }
  }

  onMessage(ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean): void {
    const conn = ws.getUserData().conn;
    if (conn === undefined || conn.isClosed) return;
    if (message.byteLength > LIMITS.maxFrameBytes) {
      this.#deps.metrics.frameReceived("oversize");
      conn.close(CLOSE_CODES.frameTooLarge, `frames are limited to ${LIMITS.maxFrameBytes} bytes`);
      return;
    }
    this.#deps.liveness.frameReceived(conn);
    // Decoded (copied) now: uWS reuses the buffer once this handler returns.
    const frame = isBinary ? null : UTF8.decode(message);
    if (conn.isAdmitted) this.#handleFrame(conn, frame);
    else if (!conn.keepEarly(frame)) {
      conn.close(CLOSE_CODES.policyViolation, "too many frames before the hello");
    }
  }

  onClose(ws: WebSocket<SocketData>, code: number): void {
    const conn = ws.getUserData().conn;
    if (conn === undefined) return;
    const { isClean } = conn.markClosed(code);
    if (this.#deps.connections.delete(conn.id)) this.#deps.metrics.connectionClosed(code);
    this.#deps.index.remove(conn);
    if (conn.isAdmitted) {
      const request = { connId: conn.id, userId: conn.userId, isClean };
      for (const groupId of conn.joinedRooms) this.#deps.rooms.disconnect(groupId, request);
      this.#deps.userPresence.disconnect(conn.userId, conn.id, isClean);
      this.#deps.onSocketsChanged?.(conn.userId);
      this.#deps.directory.release(conn.userId);
    }
    this.#deps.logger.info({
      event: "ws_close",
      ...(conn.isIdentified ? { userId: conn.userId } : {}),
      connId: conn.id,
      code,
      isClean,
    });
  }

  /** Every socket of the ended sessions closes with 4001, the ones still being admitted too. */
  onSessionsEnded = ({ userId, sessionIds }: SessionsEnded): void => {
    const { index } = this.#deps;
    const ended =
      sessionIds === undefined
        ? index.ofUser(userId)
        : sessionIds.flatMap((sessionId) => index.ofSession(sessionId));
    for (const conn of ended) conn.close(CLOSE_CODES.sessionEnded, "session ended");
  };

  #handleFrame(conn: Connection, frame: EarlyFrame): void {
    if (frame === null) this.#deps.frames.handleBinary(conn);
    else this.#deps.frames.handle(conn, frame);
  }
}
