import type { us_listen_socket } from "uWebSockets.js";
import type { AppContext } from "./app-context.ts";
import { logMailer, type Mailer, smtpMailer } from "./auth/mailer.ts";
import { RequestAuth } from "./auth/request-auth.ts";
import { Sessions } from "./auth/sessions.ts";
import type { Config } from "./config.ts";
import type { DatabaseHandle } from "./db/create-database.ts";
import { HttpError } from "./http/http-error.ts";
import { Router } from "./http/router.ts";
import { magicLinkRoutes } from "./http/routes/auth-magic-link.ts";
import { sessionRoutes } from "./http/routes/auth-session.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { meRoutes } from "./http/routes/me.ts";
import { SECURITY_HEADERS } from "./http/security-headers.ts";
import { mountHttp } from "./http/serve-http.ts";
import { uWS } from "./http/uws.ts";
import { perPeriod, RateLimiter } from "./limits/rate-limiter.ts";
import type { Logger } from "./obs/logger.ts";

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  now?: () => number;
  /** Tests pass a mailer that captures mail; by default SMTP when configured, else the log. */
  mailer?: Mailer;
}

export interface Gateway {
  /** The port actually bound (useful with PORT=0). */
  readonly port: number;
  readonly appOrigin: string;
  readonly context: AppContext;
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
  };
  function resolvedOrigin(): string {
    if (appOrigin === undefined) throw new Error("the app origin is known only after listening");
    return appOrigin;
  }

  const app = uWS.App();
  const router = new Router();
  healthRoutes(router, {
    now,
    startedAtMs,
    connections: () => 0,
    rooms: () => 0,
    isDatabaseUp: () => withTimeout(database.ping(), DB_PING_TIMEOUT_MS, false),
  });
  sessionRoutes(router, context);
  magicLinkRoutes(router, context);
  meRoutes(router, context);

  const restLimiter = new RateLimiter(
    [perPeriod(config.limits.restRequestsPerMinute, 60_000)],
    now,
  );
  const sweeper = setInterval(() => restLimiter.sweep(), SWEEP_EVERY_MS);
  sweeper.unref();

  const http = mountHttp(app, {
    router,
    logger,
    maxBodyBytes: MAX_BODY_BYTES,
    trustProxy: config.trustProxy,
    defaultHeaders: SECURITY_HEADERS,
    beforeHandle(request) {
      if (!RATE_LIMITED_PREFIXES.some((prefix) => request.path.startsWith(prefix))) return;
      const spend = restLimiter.spend(request.ip);
      if (spend.ok) return;
      logger.info({ event: "rate_limited", limit: "rest", ip: request.ip, path: request.path });
      throw new HttpError("rate_limited", "too many requests; slow down", {
        retryAfterMs: spend.retryAfterMs,
      });
    },
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

  let isShuttingDown = false;
  return {
    port,
    appOrigin,
    context,
    async shutdown() {
      if (isShuttingDown) return;
      isShuttingDown = true;
      uWS.us_listen_socket_close(listenSocket);
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
