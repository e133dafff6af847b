import type { us_listen_socket } from "uWebSockets.js";
import type { Clock } from "@clofri/actors";
import type { AppContext } from "./app-context.ts";
import { logMailer, type Mailer, smtpMailer } from "./auth/mailer.ts";
import { RequestAuth } from "./auth/request-auth.ts";
import { Sessions } from "./auth/sessions.ts";
import type { Config } from "./config.ts";
import type { DatabaseHandle } from "./db/create-database.ts";
import { HttpError } from "./http/http-error.ts";
import { Router } from "./http/router.ts";
import { adminRoutes, FIXTURES_MAX_BODY_BYTES, FIXTURES_PATH } from "./http/routes/admin.ts";
import { magicLinkRoutes } from "./http/routes/auth-magic-link.ts";
import { oauthRoutes } from "./http/routes/auth-oauth.ts";
import { sessionRoutes } from "./http/routes/auth-session.ts";
import { directRoutes } from "./http/routes/direct.ts";
import { friendRoutes } from "./http/routes/friends.ts";
import { groupRoutes } from "./http/routes/groups.ts";
import { HEALTH_PATH, healthRoutes } from "./http/routes/health.ts";
import { inviteRoutes } from "./http/routes/invites.ts";
import { meRoutes } from "./http/routes/me.ts";
import { METRICS_PATH, metricsRoutes } from "./http/routes/metrics.ts";
import { SECURITY_HEADERS } from "./http/security-headers.ts";
import { mountHttp } from "./http/serve-http.ts";
import { loadWebClient, webClientRoutes } from "./http/static-files.ts";
import { uWS } from "./http/uws.ts";
import { perPeriod, RateLimiter } from "./limits/rate-limiter.ts";
import type { Logger } from "./obs/logger.ts";
import { GatewayMetrics } from "./obs/metrics.ts";
import { SocialBus } from "./social/events.ts";
import type { PresenceReader } from "./social/presence.ts";
import { Realtime } from "./ws/realtime.ts";

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  now?: () => number;
  /** Tests pass a mailer that captures mail; by default SMTP when configured, else the log. */
  mailer?: Mailer;
  /** The real-time layer may supply the bus it listens on and its presence; else built here. */
  events?: SocialBus;
  presence?: PresenceReader;
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
  /** Stops accepting, lets in-flight requests finish (bounded by the shutdown timeout). */
  shutdown(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const DB_PING_TIMEOUT_MS = 1_000;
const SWEEP_EVERY_MS = 60_000;
/** The REST budget covers the API and sign-in, not operators' probes or the admin API. */
const RATE_LIMITED_PREFIXES = ["/api/", "/auth/"];

export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger, database } = deps;
  const now = deps.now ?? Date.now;
  const startedAtMs = now();
  let appOrigin = config.appOrigin;
  const sessions = new Sessions(database.db, { now });
  const metrics = new GatewayMetrics();
  let isShuttingDown = false;
  const realtime = new Realtime({
    config,
    logger,
    db: database.db,
    sessions,
    metrics,
    now,
    clock: deps.clock,
    enableTestHooks: deps.enableTestHooks,
  });
  const context: AppContext = {
    config,
    logger,
    db: database.db,
    sessions,
    auth: new RequestAuth(sessions, () => resolvedOrigin()),
    mailer:
      deps.mailer ??
      (config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : logMailer(logger)),
    now,
    appOrigin: () => resolvedOrigin(),
    events:
      deps.events ??
      new SocialBus((error, event) =>
        logger.error({ event: "social_listener_failed", type: event.type, err: error }),
      ),
    presence: deps.presence ?? realtime.presence,
    metrics,
  };
  function resolvedOrigin(): string {
    if (appOrigin === undefined) throw new Error("the app origin is known only after listening");
    return appOrigin;
  }

  const app = uWS.App();
  // Before the HTTP catch-all, so /ws upgrades reach the WebSocket edge.
  realtime.mount(app, context);
  const router = new Router();
  healthRoutes(router, {
    now,
    startedAtMs,
    connections: () => realtime.connectionCount,
    rooms: () => realtime.roomCount,
    isDatabaseUp: () => withTimeout(database.ping(), DB_PING_TIMEOUT_MS, false),
    isStopping: () => isShuttingDown,
  });
  metricsRoutes(router, metrics, config.metricsToken);
  sessionRoutes(router, context);
  magicLinkRoutes(router, context);
  meRoutes(router, context);
  friendRoutes(router, context);
  groupRoutes(router, context);
  inviteRoutes(router, context);
  directRoutes(router, context);
  adminRoutes(router, context);
  oauthRoutes(router, context);
  webClientRoutes(router, await loadWebClient(config.webDistDir, logger));

  const restLimiter = new RateLimiter(
    [perPeriod(config.limits.restRequestsPerMinute, 60_000)],
    now,
  );
  const sweeper = setInterval(() => restLimiter.sweep(), SWEEP_EVERY_MS);
  sweeper.unref();

  const http = mountHttp(app, {
    router,
    logger,
    // Fixture specs for thousands of users are far above the API's cap; only the admin may send one.
    maxBodyBytes: (path) =>
      config.adminToken !== undefined && path === FIXTURES_PATH
        ? FIXTURES_MAX_BODY_BYTES
        : MAX_BODY_BYTES,
    trustProxy: config.trustProxy,
    defaultHeaders: SECURITY_HEADERS,
    metrics,
    quietRoutes: new Set([HEALTH_PATH, METRICS_PATH]),
    beforeHandle(request) {
      if (!RATE_LIMITED_PREFIXES.some((prefix) => request.path.startsWith(prefix))) return;
      const spend = restLimiter.spend(request.ip);
      if (spend.ok) return;
      metrics.rateLimited("rest");
      // No path: paths carry invite and friend codes (the request's own line has its route).
      logger.info({ event: "rate_limited", limit: "rest", ip: request.ip });
      throw new HttpError("rate_limited", "too many requests; slow down", {
        retryAfterMs: spend.retryAfterMs,
      });
    },
  });

  metrics.setSources({
    connections: () => realtime.connectionCount,
    onlineUsers: () => realtime.onlineUserCount,
    rooms: () => realtime.roomCount,
    roomMailboxes: () => realtime.rooms.mailboxes(),
    httpInFlight: () => http.inFlight(),
  });

  const listenSocket = await listen(app, config.host, config.port);
  const port = uWS.us_socket_local_port(listenSocket);
  appOrigin ??= `http://localhost:${port}`;
  logger.info({
    event: "listening",
    host: config.host,
    port,
    appOrigin,
    mail: context.mailer.kind,
  });

  return {
    port,
    appOrigin,
    context,
    realtime,
    async shutdown() {
      if (isShuttingDown) return;
      isShuttingDown = true;
      uWS.us_listen_socket_close(listenSocket);
      await realtime.shutdown();
      clearInterval(sweeper);
      // Leave part of the budget for closing the database after the last request.
      const deadline = performance.now() + config.timing.shutdownTimeoutMs * 0.8;
      while (http.inFlight() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      context.mailer.close();
      logger.info({ event: "stopped_listening", unfinishedRequests: http.inFlight() });
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
