import type { TemplatedApp } from "uWebSockets.js";
import { realClock } from "@clofri/actors";
import { CLOSE_CODES } from "@clofri/protocol";
import type { Kysely } from "kysely";
import type { AppContext } from "../app-context.ts";
import type { Sessions } from "../auth/sessions.ts";
import { RoomSupervisor } from "../chat/room-supervisor.ts";
import type { Rooms } from "../chat/rooms.ts";
import type { ClusterNode } from "../cluster/cluster-node.ts";
import { ClusterRealtime } from "../cluster/cluster-realtime.ts";
import { loadRealtimeUsers } from "../db/realtime.ts";
import type { Database } from "../db/tables.ts";
import type { PresenceReader } from "../social/presence.ts";
import { startClusterEdge } from "./cluster-edge.ts";
import type { Connection, SocketData } from "./connection.ts";
import { ConnectionIndex } from "./connection-index.ts";
import { FrameLimits } from "./frame-limits.ts";
import { Liveness } from "./liveness.ts";
import { PresenceHub } from "./presence-hub.ts";
import { type RoomSupervisionDeps, roomSupervisorOptions } from "./room-supervision.ts";
import { SlicedScan } from "./sliced-scan.ts";
import { SocialSync } from "./social-sync.ts";
import type { SocketHandlers } from "./socket-handlers.ts";
import { socketOptions } from "./socket-options.ts";
import { wireSockets } from "./socket-wiring.ts";
import { upgradeHandler } from "./upgrade.ts";
import { UserDirectory } from "./users/user-directory.ts";
import { UwsRoomPort } from "./uws-room-port.ts";

export interface RealtimeDeps extends RoomSupervisionDeps {
  db: Kysely<Database>;
  sessions: Sessions;
  /** Cluster mode: this gateway's membership of the cluster, connected. */
  cluster?: ClusterNode | undefined;
}

const WS_PATH = "/ws";
const LAST_SEEN_WRITE_EVERY_MS = 60_000;
const LIMITER_SWEEP_EVERY_MS = 60_000;
/** Of the shutdown budget, for the final last-seen write (10,000 users online needed over 2 s). */
const LAST_SEEN_FINAL_WRITE_SHARE = 0.5;
/** Sends check unsent output themselves; this finds sockets that only receive publishes. */
const BACKPRESSURE_CHECK_EVERY_MS = 100;
/** Spread over the interval: all 16,000 sockets at once held the event loop ~1.4 ms each time. */
const BACKPRESSURE_SLICES = 10;
const BACKPRESSURE_SLICE_EVERY_MS = BACKPRESSURE_CHECK_EVERY_MS / BACKPRESSURE_SLICES;

/**
 * The WebSocket edge, wired: upgrades, sockets, frames to rooms, online presence, social events
 * to the sockets they concern; and its timers and shutdown. Everything uWS stays in `ws/`.
 */
export class Realtime {
  /** The rooms this gateway runs (all of them, unless in cluster mode). */
  readonly rooms: RoomSupervisor;
  /** The rooms as the edge reaches them: these, or the cluster's through their owners. */
  readonly #rooms: Rooms;
  readonly #cluster: ClusterRealtime | undefined;
  /** What the REST side reads: who is online, when they were last seen, who is in each room. */
  readonly presence: PresenceReader;
  readonly #deps: RealtimeDeps;
  readonly #connections = new Map<string, Connection>();
  readonly #index = new ConnectionIndex();
  readonly #port: UwsRoomPort;
  readonly #hub: PresenceHub;
  readonly #directory: UserDirectory;
  readonly #limits: FrameLimits;
  readonly #liveness: Liveness;
  readonly #sockets: SocketHandlers;
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
    this.#port = new UwsRoomPort({
      connections: this.#connections,
      metrics,
      roomsOf: (userId) => this.#index.roomsOf(userId),
      clock: deps.clock ?? realClock,
    });
    this.#cluster = deps.cluster && this.#clusterRooms(deps.cluster);
    this.rooms = new RoomSupervisor(
      this.#cluster?.port ?? this.#port,
      roomSupervisorOptions(deps, this.#cluster?.roomEvent),
    );
    this.#rooms = this.#cluster?.attach(this.rooms) ?? this.rooms;
    this.#hub = new PresenceHub({
      db: deps.db,
      logger,
      clock: deps.clock,
      now,
      graceMs: config.timing.presenceGraceMs,
      directory: () => this.#directory,
      index: this.#index,
      rooms: () => this.#rooms,
      tracker: deps.cluster?.tracker,
      publish: (topic, text) => this.#port.publish(topic, text),
      isShuttingDown: () => this.#isShuttingDown,
    });
    this.#directory = new UserDirectory({
      load: (userIds) => loadRealtimeUsers(deps.db, userIds),
      isOnline: (userId) => this.#hub.userPresence.isOnline(userId),
      logger,
    });
    const tracker = deps.cluster?.tracker;
    this.presence = this.#hub.reader;
    this.#limits = new FrameLimits(config.limits, now, tracker && ((id) => tracker.nodesOf(id)));
    this.#liveness = new Liveness({
      rooms: this.#rooms,
      now,
      idleAfterMs: config.timing.idleAfterMs,
      heartbeatTimeoutMs: config.timing.heartbeatTimeoutMs,
      onIdleChanged: (conn) => this.#hub.localChanged(conn.userId),
    });
    this.#sockets = this.#socketHandlers();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get roomCount(): number {
    return this.rooms.count;
  }

  /** People with at least one open socket (the operator's gauge). */
  get onlineUserCount(): number {
    return this.#hub.userPresence.onlineCount;
  }

  /** Open connections of a user past their hello (tests and diagnostics). */
  connectionsOf(userId: string): number {
    return this.#index.admittedCountOf(userId);
  }

  /** Registers `/ws` (before the HTTP catch-all) and starts listening to sessions and the social bus. */
  mount(app: TemplatedApp, context: Pick<AppContext, "events" | "appOrigin">): void {
    const { config, logger, sessions } = this.#deps;
    const social = new SocialSync({
      rooms: this.#rooms,
      directory: this.#directory,
      index: this.#index,
      publish: (topic, text) => this.#port.publish(topic, text),
      logger,
      onPresenceMode: (userId) => this.#hub.localChanged(userId),
    });
    this.#unsubscribers.push(context.events.subscribe(social.handle));
    this.#unsubscribers.push(sessions.onEnded(this.#sockets.onSessionsEnded));
    this.#startCluster(context);
    const sockets = this.#sockets;
    app.ws<SocketData>(WS_PATH, {
      ...socketOptions(config),
      upgrade: upgradeHandler({
        appOrigin: context.appOrigin,
        isAccepting: () => !this.#isShuttingDown,
        logger,
        metrics: this.#deps.metrics,
      }),
      open: (ws) => sockets.onOpen(ws),
      message: (ws, message, isBinary) => sockets.onMessage(ws, message, isBinary),
      close: (ws, code) => sockets.onClose(ws, code),
    });
    // Only now: uWS's numSubscribers (counted on every publish) crashes the process natively
    // when called on an app that has no WebSocket route yet.
    this.#port.attach(app);
    this.#startTimers();
  }

  /** Closes silent sockets (4000) and moves the inactive to idle; runs on a timer. */
  sweep(): void {
    this.#liveness.sweep(this.#connections.values());
  }

  /** Stores the last-seen times the database lacks (on a timer; tests call it). Never rejects. */
  writeLastSeen(): Promise<void> {
    return this.#hub.lastSeen.write();
  }

  /**
   * Closes every socket with 1001, stops the rooms, and writes the last-seen times. In cluster
   * mode the rooms are handed over first, and the sockets' people kept present for the grace:
   * their clients come back through another gateway.
   */
  async shutdown(): Promise<void> {
    if (this.#isShuttingDown) return;
    this.#isShuttingDown = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    await this.#cluster?.handOver();
    const isDrop = this.#cluster !== undefined;
    for (const conn of [...this.#connections.values()]) {
      conn.close(CLOSE_CODES.goingAway, "server shutting down", isDrop);
    }
    this.#hub.userPresence.shutdown();
    await this.rooms.shutdown();
    await Promise.race([
      this.writeLastSeen(),
      new Promise((resolve) => {
        const budgetMs = this.#deps.config.timing.shutdownTimeoutMs * LAST_SEEN_FINAL_WRITE_SHARE;
        setTimeout(resolve, budgetMs).unref();
      }),
    ]);
    await this.#cluster?.close();
  }

  #socketHandlers(): SocketHandlers {
    return wireSockets({
      ...this.#deps,
      connections: this.#connections,
      index: this.#index,
      directory: this.#directory,
      rooms: this.#rooms,
      limits: this.#limits,
      liveness: this.#liveness,
      userPresence: this.#hub.userPresence,
      presence: this.presence,
      socketsElsewhere: (userId) => this.#deps.cluster?.tracker.remoteSockets(userId) ?? 0,
      onSocketsChanged: (userId) => {
        this.#hub.localChanged(userId);
        if (!this.#index.hasAdmitted(userId)) this.#port.forgetUser(userId);
      },
      isClustered: this.#deps.cluster !== undefined,
      isShuttingDown: () => this.#isShuttingDown,
    });
  }

  #clusterRooms(cluster: ClusterNode): ClusterRealtime {
    return new ClusterRealtime({
      cluster,
      localPort: this.#port,
      isLocal: (connId) => this.#connections.has(connId),
      logger: this.#deps.logger,
      metrics: this.#deps.metrics,
      clock: realClock,
      graceMs: this.#deps.config.timing.presenceGraceMs,
    });
  }

  #startCluster(context: Pick<AppContext, "events">): void {
    const cluster = this.#deps.cluster;
    if (cluster === undefined || this.#cluster === undefined) return;
    const unsubscribers = startClusterEdge({
      cluster,
      rooms: this.#cluster,
      events: context.events,
      sessions: this.#deps.sessions,
      directory: this.#directory,
      index: this.#index,
      connections: this.#connections,
      onPresence: this.#hub.clusterChanged,
      onPresenceMode: (userId) => this.#hub.localChanged(userId),
      publish: (topic, text) => this.#port.publish(topic, text),
      closeSessions: (event) => this.#sockets.onSessionsEnded(event),
      logger: this.#deps.logger,
    });
    this.#unsubscribers.push(...unsubscribers);
  }

  #startTimers(): void {
    const { heartbeatTimeoutMs, idleAfterMs } = this.#deps.config.timing;
    const sweepEveryMs = Math.min(
      1_000,
      Math.max(25, Math.min(heartbeatTimeoutMs, idleAfterMs) / 4),
    );
    this.#every(sweepEveryMs, () => this.sweep());
    this.#every(BACKPRESSURE_SLICE_EVERY_MS, () => this.#backpressureScan.step(performance.now()));
    this.#every(LIMITER_SWEEP_EVERY_MS, () => this.#limits.sweep());
    this.#every(LAST_SEEN_WRITE_EVERY_MS, () => void this.writeLastSeen());
  }

  #every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }
}
