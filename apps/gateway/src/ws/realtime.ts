import type { TemplatedApp, WebSocket } from "uWebSockets.js";
import type { Clock } from "@clofri/actors";
import { CLOSE_CODES, encode, LIMITS } from "@clofri/protocol";
import type { Kysely } from "kysely";
import type { AppContext } from "../app-context.ts";
import type { Sessions, SessionsEnded } from "../auth/sessions.ts";
import { Rooms } from "../chat/rooms.ts";
import { type PresenceChange, UserPresence } from "../chat/user-presence.ts";
import type { Config } from "../config.ts";
import { loadRealtimeUsers } from "../db/realtime.ts";
import type { Database } from "../db/tables.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { PresenceReader } from "../social/presence.ts";
import { Connection, type SocketData } from "./connection.ts";
import { FrameHandler } from "./frame-handler.ts";
import { FrameLimits } from "./frame-limits.ts";
import { helloFrame } from "./hello.ts";
import { LastSeenWriter } from "./last-seen-writer.ts";
import { Liveness } from "./liveness.ts";
import { logRoomEvent } from "./room-event-log.ts";
import { SlicedScan } from "./sliced-scan.ts";
import { SocialSync } from "./social-sync.ts";
import { presenceTopic, userTopic } from "./topics.ts";
import { upgradeHandler } from "./upgrade.ts";
import { UserDirectory } from "./user-directory.ts";
import { UwsRoomPort } from "./uws-room-port.ts";

export interface RealtimeDeps {
  config: Config;
  logger: Logger;
  metrics: GatewayMetrics;
  db: Kysely<Database>;
  sessions: Sessions;
  /** The gateway's wall clock: heartbeat timeouts, idleness, rate limits, message times. */
  now: () => number;
  /** Runs room and presence timers (grace, typing, linger); tests pass a ManualClock. */
  clock?: Clock | undefined;
  /** Enables `rooms.crash`; tests only. */
  enableTestHooks?: boolean | undefined;
}

export const WS_PATH = "/ws";
/** Room for one message frame's fields besides the text, and for a group_state's members. */
const MESSAGE_OVERHEAD_BYTES = 1_024;
const MEMBERS_OVERHEAD_BYTES = 64 * 1024;
/** The protocol caps frames at 16 KiB; uWS would drop bigger ones without a close code. */
const MAX_PAYLOAD_BYTES = 64 * 1024;
const LAST_SEEN_WRITE_EVERY_MS = 60_000;
const LIMITER_SWEEP_EVERY_MS = 60_000;
/**
 * The final last-seen write may use this share of the shutdown budget: with 10,000 users online
 * on a busy machine 2 s was not enough, and the database was then closed under the write.
 */
const LAST_SEEN_FINAL_WRITE_SHARE = 0.5;
/**
 * How often each socket's buffered output is measured against the bound. Sends check it too, but
 * a socket that only receives publishes (uWS fans them out natively) is found here, before uWS's
 * own hard limit cuts it without a close code.
 */
const BACKPRESSURE_CHECK_EVERY_MS = 100;
/**
 * The check is spread over the interval in this many slices of the connections: all 16,000 at
 * once held the event loop for 1.4 ms (p50; 9.6 ms at worst) every 100 ms, which every message
 * arriving meanwhile waited out.
 */
const BACKPRESSURE_SLICES = 10;
const BACKPRESSURE_SLICE_EVERY_MS = BACKPRESSURE_CHECK_EVERY_MS / BACKPRESSURE_SLICES;
/** Decodes text frames as `Buffer#toString` did, a bit cheaper; a BOM is kept (JSON refuses it). */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * The WebSocket edge: upgrades, one `Connection` per socket, frames to rooms, online presence,
 * and social events to the sockets they concern. Everything uWS stays in `ws/`.
 */
export class Realtime {
  readonly rooms: Rooms;
  /** What the REST side reads: who is online, when they were last seen, who is in each room. */
  readonly presence: PresenceReader;
  readonly #deps: RealtimeDeps;
  readonly #connections = new Map<string, Connection>();
  readonly #port: UwsRoomPort;
  readonly #userPresence: UserPresence;
  readonly #directory: UserDirectory;
  readonly #lastSeen: LastSeenWriter;
  readonly #limits: FrameLimits;
  readonly #liveness: Liveness;
  readonly #frames: FrameHandler;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribers: Array<() => void> = [];
  #isShuttingDown = false;
  /** Closes the sockets whose unread output passed the bound (4009), a slice every 10 ms. */
  readonly #backpressureScan = new SlicedScan({
    map: this.#connections,
    periodMs: BACKPRESSURE_CHECK_EVERY_MS,
    visit: (conn: Connection) => conn.checkBackpressure(),
    nowMs: performance.now(),
  });

  constructor(deps: RealtimeDeps) {
    const { config, logger, metrics, now } = deps;
    this.#deps = deps;
    this.#port = new UwsRoomPort(this.#connections, metrics, logger);
    const logEvent = logRoomEvent(logger);
    this.rooms = new Rooms(this.#port, {
      clock: deps.clock,
      now,
      maxMessages: config.retention.maxMessages,
      maxAgeMs: config.retention.maxAgeMs,
      typingTimeoutMs: config.timing.typingTimeoutMs,
      typingEventsPerSecond: config.limits.typingEventsPerSecond,
      presenceGraceMs: config.timing.presenceGraceMs,
      roomLingerMs: config.timing.roomLingerMs,
      maxTextLength: config.limits.maxTextLength,
      maxRestarts: config.limits.roomMaxRestarts,
      restartWindowMs: config.timing.roomRestartWindowMs,
      maxRooms: config.limits.maxRooms,
      enableTestHooks: deps.enableTestHooks === true,
      observer: metrics.roomObserver,
      onEvent: (event) => {
        metrics.roomEvent(event);
        logEvent(event);
      },
    });
    this.#userPresence = new UserPresence({
      graceMs: config.timing.presenceGraceMs,
      clock: deps.clock,
      now,
      onChange: this.#onPresenceChange,
    });
    this.#lastSeen = new LastSeenWriter(deps.db, this.#userPresence, logger);
    this.presence = {
      isOnline: (userId) => this.#userPresence.isOnline(userId),
      lastSeen: (userId) => this.#userPresence.lastSeen(userId),
      presentIn: (groupId) => this.rooms.presentIn(groupId),
    };
    this.#directory = new UserDirectory({
      load: (userIds) => loadRealtimeUsers(deps.db, userIds),
      isOnline: (userId) => this.#userPresence.isOnline(userId),
      logger,
    });
    this.#limits = new FrameLimits(config.limits, now);
    this.#liveness = new Liveness({
      rooms: this.rooms,
      now,
      idleAfterMs: config.timing.idleAfterMs,
      heartbeatTimeoutMs: config.timing.heartbeatTimeoutMs,
    });
    this.#frames = new FrameHandler({
      rooms: this.rooms,
      limits: this.#limits,
      liveness: this.#liveness,
      now,
      logger,
      metrics,
    });
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get roomCount(): number {
    return this.rooms.count;
  }

  /** People with at least one open socket (the operator's gauge). */
  get onlineUserCount(): number {
    return this.#userPresence.onlineCount;
  }

  /** Open connections of a user (tests and diagnostics). */
  connectionsOf(userId: string): number {
    return this.#directory.get(userId)?.connections.size ?? 0;
  }

  /** Registers `/ws` (before the HTTP catch-all) and starts listening to sessions and the social bus. */
  mount(app: TemplatedApp, context: Pick<AppContext, "events" | "appOrigin">): void {
    const { config, logger, sessions } = this.#deps;
    const social = new SocialSync({
      rooms: this.rooms,
      directory: this.#directory,
      publish: (topic, text) => this.#publish(topic, text),
      logger,
    });
    this.#unsubscribers.push(context.events.subscribe(social.handle));
    this.#unsubscribers.push(sessions.onEnded(this.#onSessionsEnded));
    app.ws<SocketData>(WS_PATH, {
      maxPayloadLength: MAX_PAYLOAD_BYTES,
      idleTimeout: config.timing.wsIdleTimeoutSeconds,
      sendPingsAutomatically: true,
      maxBackpressure: hardBackpressureLimit(config),
      closeOnBackpressureLimit: 1,
      upgrade: upgradeHandler({
        sessions,
        directory: this.#directory,
        appOrigin: context.appOrigin,
        isAccepting: () => !this.#isShuttingDown,
        logger,
        metrics: this.#deps.metrics,
      }),
      open: (ws) => this.#onOpen(ws),
      message: (ws, message, isBinary) => this.#onMessage(ws, message, isBinary),
      close: (ws, code) => this.#onClose(ws, code),
    });
    // Only now: uWS's numSubscribers (counted on every publish) crashes the process natively
    // when called on an app that has no WebSocket route yet.
    this.#port.attach(app);
    const { heartbeatTimeoutMs, idleAfterMs } = config.timing;
    const sweepEveryMs = Math.min(
      1_000,
      Math.max(25, Math.min(heartbeatTimeoutMs, idleAfterMs) / 4),
    );
    this.#every(sweepEveryMs, () => this.sweep());
    this.#every(BACKPRESSURE_SLICE_EVERY_MS, () => this.#backpressureScan.step(performance.now()));
    this.#every(LIMITER_SWEEP_EVERY_MS, () => this.#limits.sweep());
    this.#every(LAST_SEEN_WRITE_EVERY_MS, () => void this.writeLastSeen());
  }

  /** Closes silent sockets (4000) and moves the inactive to idle; runs on a timer. */
  sweep(): void {
    this.#liveness.sweep(this.#connections.values());
  }

  /** Stores the last-seen times the database lacks (on a timer; tests call it). Never rejects. */
  writeLastSeen(): Promise<void> {
    return this.#lastSeen.write();
  }

  /** Closes every socket with 1001, stops the rooms, and writes the last-seen times. */
  async shutdown(): Promise<void> {
    if (this.#isShuttingDown) return;
    this.#isShuttingDown = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    for (const conn of [...this.#connections.values()]) {
      conn.close(CLOSE_CODES.goingAway, "server shutting down");
    }
    this.#userPresence.shutdown();
    await this.rooms.shutdown();
    await Promise.race([
      this.writeLastSeen(),
      new Promise((resolve) => {
        const budgetMs = this.#deps.config.timing.shutdownTimeoutMs * LAST_SEEN_FINAL_WRITE_SHARE;
        setTimeout(resolve, budgetMs).unref();
      }),
    ]);
  }

  #onOpen(ws: WebSocket<SocketData>): void {
    const { config, metrics, now } = this.#deps;
    const conn = new Connection(ws, {
      maxBufferedBytes: config.limits.maxBackpressureBytes,
      nowMs: now(),
      metrics,
    });
    const state = this.#directory.hold(conn.userId);
    if (state === undefined || this.#isShuttingDown) {
      // The upgrade holds the state until the socket opens, so this is a shutdown race.
      if (state !== undefined) this.#directory.release(conn.userId);
      conn.close(CLOSE_CODES.goingAway, "server shutting down");
      return;
    }
    this.#connections.set(conn.id, conn);
    conn.state = state;
    ws.getUserData().conn = conn;
    state.connections.add(conn);
    // hello first, then the topics: nothing can be published between these synchronous steps.
    conn.send(encode(helloFrame(state, this.presence, config, now())));
    if (conn.isClosed) return;
    conn.subscribe(userTopic(conn.userId));
    for (const groupId of state.groups.keys()) {
      conn.subscribe(this.#directory.intern(presenceTopic(groupId)));
    }
    this.#userPresence.connect(conn.userId, conn.id);
    metrics.connectionOpened();
    this.#deps.logger.info({ event: "ws_open", userId: conn.userId, connId: conn.id });
  }

  #onMessage(ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean): void {
    const conn = ws.getUserData().conn;
    if (conn === undefined || conn.isClosed) return;
    if (message.byteLength > LIMITS.maxFrameBytes) {
      this.#deps.metrics.frameReceived("oversize");
      conn.close(CLOSE_CODES.frameTooLarge, `frames are limited to ${LIMITS.maxFrameBytes} bytes`);
      return;
    }
    this.#liveness.frameReceived(conn);
    if (isBinary) {
      this.#frames.handleBinary(conn);
      return;
    }
    // Decoded (copied) now: uWS reuses the buffer once this handler returns.
    this.#frames.handle(conn, UTF8.decode(message));
  }

  #onClose(ws: WebSocket<SocketData>, code: number): void {
    const conn = ws.getUserData().conn;
    if (conn === undefined) return;
    const { isClean } = conn.markClosed(code);
    this.#connections.delete(conn.id);
    conn.state?.connections.delete(conn);
    const request = { connId: conn.id, userId: conn.userId, isClean };
    for (const groupId of conn.joined) this.rooms.disconnect(groupId, request);
    this.#userPresence.disconnect(conn.userId, conn.id, isClean);
    this.#directory.release(conn.userId);
    this.#deps.metrics.connectionClosed(code);
    this.#deps.logger.info({
      event: "ws_close",
      userId: conn.userId,
      connId: conn.id,
      code,
      isClean,
    });
  }

  #onSessionsEnded = ({ userId, sessionIds }: SessionsEnded): void => {
    const state = this.#directory.get(userId);
    if (state === undefined) return;
    for (const conn of [...state.connections]) {
      if (sessionIds === undefined || sessionIds.includes(conn.sessionId)) {
        conn.close(CLOSE_CODES.sessionEnded, "session ended");
      }
    }
  };

  #onPresenceChange = (change: PresenceChange): void => {
    // Read before the offline user's state may be dropped: it knows who their friends are.
    const friends = this.#directory.get(change.userId)?.friends ?? [];
    if (change.type === "offline") this.#directory.dropIfUnused(change.userId);
    if (this.#isShuttingDown) return;
    const frame =
      change.type === "online"
        ? { type: "friend_online" as const, userId: change.userId }
        : { type: "friend_offline" as const, userId: change.userId, lastSeen: change.lastSeenMs };
    // One publish per friend with a socket open: presence changes are rare, subscriptions
    // per socket to every friend's presence were not.
    let text: string | undefined;
    for (const { summary } of friends) {
      if (this.#directory.get(summary.id)?.connections.size) {
        text ??= encode(frame);
        this.#publish(userTopic(summary.id), text);
      }
    }
  };

  #publish(topic: string, text: string): void {
    this.#port.publish(topic, text);
  }

  #every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }
}

/**
 * Where uWS itself drops output and cuts the socket (1006): our own bound plus the largest frame
 * sent at once (a full group_state), so the bound is checked, and the 4009 close frame still
 * queued, after any one send. Only publishes piling up between two checks of the socket can
 * reach it.
 */
function hardBackpressureLimit(config: Config): number {
  const largestFrameBytes =
    config.retention.maxMessages * (4 * LIMITS.maxTextLength + MESSAGE_OVERHEAD_BYTES) +
    MEMBERS_OVERHEAD_BYTES;
  return config.limits.maxBackpressureBytes + largestFrameBytes;
}
