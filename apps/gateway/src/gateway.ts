import type { us_listen_socket } from "uWebSockets.js";
import { type Clock, realClock } from "@clofri/actors";
import type { AppContext } from "./app-context.ts";
import { sweepExpiredMagicLinks } from "./auth/magic-links.ts";
import { logMailer, type Mailer, smtpMailer } from "./auth/mailer.ts";
import { Sessions } from "./auth/sessions.ts";
import { ClusterNode } from "./cluster/cluster-node.ts";
import type { Config } from "./config.ts";
import type { DatabaseHandle } from "./db/create-database.ts";
import { mountApi } from "./http/api.ts";
import { RequestAuth } from "./http/request-auth.ts";
import type { HealthSources } from "./http/routes/health.ts";
import { uWS } from "./http/uws.ts";
import type { Logger } from "./obs/logger.ts";
import { GatewayMetrics } from "./obs/metrics.ts";
import { SocialBus } from "./social/events.ts";
import { Realtime } from "./ws/realtime.ts";

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  now?: () => number;
  /** Tests pass a mailer that captures mail; by default SMTP when configured, else the log. */
  mailer?: Mailer;
  /** Runs the real-time layer's timers (rooms, presence grace); tests pass a ManualClock. */
  clock?: Clock;
  /** Enables test hooks such as `rooms.crash`; never in production. */
  enableTestHooks?: boolean;
}

export interface Gateway {
  /** The port actually bound (useful with PORT=0). */
  readonly port: number;
  readonly appOrigin: string;
  readonly context: AppContext;
  /** The WebSocket edge: connections, rooms, presence. */
  readonly realtime: Realtime;
  /** This gateway as a node of the cluster (cluster mode). */
  readonly cluster: ClusterNode | undefined;
  /** Stops accepting, lets in-flight requests finish (bounded by the shutdown timeout). */
  shutdown(): Promise<void>;
}

const DB_PING_TIMEOUT_MS = 1_000;
/** The final wait for requests in flight may use this share of the shutdown budget. */
const IN_FLIGHT_SHARE = 0.8;

/** Where the app origin is kept: configured, or known once listening on PORT=0. */
interface OriginHolder {
  value: string | undefined;
  get(): string;
}

export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const startedAtMs = now();
  const origin = originHolder(config.appOrigin);
  const state = { isShuttingDown: false };
  const cluster = await joinCluster(deps);
  const { context, realtime } = assemble(deps, origin, cluster);

  const app = uWS.App();
  // Before the HTTP catch-all, so /ws upgrades reach the WebSocket edge.
  realtime.mount(app, context);
  const http = await mountApi(app, context, {
    health: healthSources(deps, { startedAtMs, realtime, cluster, state }),
    clock: deps.clock,
  });
  context.metrics.setSources({
    connections: () => realtime.connectionCount,
    onlineUsers: () => realtime.onlineUserCount,
    rooms: () => realtime.roomCount,
    roomMailboxes: () => realtime.rooms.mailboxes(),
    httpInFlight: () => http.inFlight(),
  });

  const listenSocket = await listen(app, config.host, config.port);
  const port = uWS.us_socket_local_port(listenSocket);
  // Started once listening: a gateway that failed to start leaves no timer behind.
  const magicLinkSweeper = startMagicLinkSweeper(deps);
  origin.value ??= `http://localhost:${port}`;
  const mail = context.mailer.kind;
  logger.info({ event: "listening", host: config.host, port, appOrigin: origin.value, mail });

  return {
    port,
    appOrigin: origin.value,
    context,
    realtime,
    cluster,
    async shutdown() {
      if (state.isShuttingDown) return;
      state.isShuttingDown = true;
      uWS.us_listen_socket_close(listenSocket);
      await realtime.shutdown();
      http.close();
      await magicLinkSweeper.stop();
      // Leave part of the budget for closing the database after the last request.
      await http.settled(config.timing.shutdownTimeoutMs * IN_FLIGHT_SHARE);
      context.mailer.close();
      logger.info({ event: "stopped_listening", unfinishedRequests: http.inFlight() });
    },
  };
}

function startMagicLinkSweeper(deps: GatewayDeps) {
  const { logger } = deps;
  return sweepExpiredMagicLinks(deps.database.db, {
    clock: deps.clock ?? realClock,
    now: deps.now ?? Date.now,
    onSwept: (deleted) => logger.debug({ event: "magic_links_swept", deleted }),
    onError: (error) => logger.warn({ event: "magic_link_sweep_failed", err: error }),
  });
}

function healthSources(
  deps: GatewayDeps,
  parts: {
    startedAtMs: number;
    realtime: Realtime;
    cluster: ClusterNode | undefined;
    state: { isShuttingDown: boolean };
  },
): HealthSources {
  const { realtime, cluster, state } = parts;
  return {
    now: deps.now ?? Date.now,
    startedAtMs: parts.startedAtMs,
    connections: () => realtime.connectionCount,
    rooms: () => realtime.roomCount,
    isDatabaseUp: () => withTimeout(deps.database.ping(), DB_PING_TIMEOUT_MS, false),
    isStopping: () => state.isShuttingDown,
    ...(cluster === undefined
      ? {}
      : { cluster: () => ({ ...cluster.status(), isFenced: cluster.membership.isFenced }) }),
  };
}

/** Cluster mode: connected to NATS before anything else, or start-up fails. */
async function joinCluster(deps: GatewayDeps): Promise<ClusterNode | undefined> {
  const { config } = deps;
  if (config.cluster === undefined) return undefined;
  // Heartbeats, leases and request deadlines run on real time, even when tests drive the rooms.
  const cluster = await ClusterNode.connect({
    config: config.cluster,
    logger: deps.logger,
    clock: realClock,
    now: deps.now ?? Date.now,
    graceMs: config.timing.presenceGraceMs,
  });
  deps.logger.info({ event: "cluster_joined", node: cluster.node });
  return cluster;
}

/** The real-time layer and what every route needs, wired to each other. */
function assemble(deps: GatewayDeps, origin: OriginHolder, cluster: ClusterNode | undefined) {
  const { config, logger, database } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new Sessions(database.db, { now });
  const metrics = new GatewayMetrics();
  const realtime = new Realtime({
    config,
    logger,
    db: database.db,
    sessions,
    metrics,
    now,
    clock: deps.clock,
    enableTestHooks: deps.enableTestHooks,
    cluster,
  });
  const context: AppContext = {
    config,
    logger,
    db: database.db,
    sessions,
    auth: new RequestAuth(sessions, () => origin.get()),
    mailer:
      deps.mailer ??
      (config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : logMailer(logger)),
    now,
    appOrigin: () => origin.get(),
    events: new SocialBus((error, event) =>
      logger.error({ event: "social_listener_failed", type: event.type, err: error }),
    ),
    presence: realtime.presence,
    metrics,
  };
  return { context, realtime };
}

function originHolder(configured: string | undefined): OriginHolder {
  return {
    value: configured,
    get() {
      if (this.value === undefined) throw new Error("the app origin is known only after listening");
      return this.value;
    },
  };
}

function listen(app: uWS.TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`could not listen on ${host}:${port} (is the port in use?)`));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
