import type { TemplatedApp } from "uWebSockets.js";
import type { Clock } from "@clofri/actors";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { perPeriod, RateLimiter } from "../limits/rate-limiter.ts";
import { Router } from "./router.ts";
import { adminRoutes, FIXTURES_MAX_BODY_BYTES, FIXTURES_PATH } from "./routes/admin.ts";
import { magicLinkRoutes } from "./routes/auth-magic-link.ts";
import { oauthRoutes } from "./routes/auth-oauth.ts";
import { sessionRoutes } from "./routes/auth-session.ts";
import { blockRoutes } from "./routes/blocks.ts";
import { directRoutes } from "./routes/direct.ts";
import { friendRoutes } from "./routes/friends.ts";
import { groupRoutes } from "./routes/groups.ts";
import { HEALTH_PATH, type HealthSources, healthRoutes } from "./routes/health.ts";
import { inviteRoutes } from "./routes/invites.ts";
import { meRoutes } from "./routes/me.ts";
import { METRICS_PATH, metricsRoutes } from "./routes/metrics.ts";
import { SECURITY_HEADERS } from "./security-headers.ts";
import { type HttpEdge, mountHttp } from "./serve-http.ts";
import { loadWebClient, webClientRoutes } from "./static-files.ts";

const MAX_BODY_BYTES = 64 * 1024;
const SWEEP_EVERY_MS = 60_000;
/** The REST budget covers the API and sign-in, not operators' probes or the admin API. */
const RATE_LIMITED_PREFIXES = ["/api/", "/auth/"];

/** How often a shutdown looks whether the last requests finished. */
const SETTLE_POLL_MS = 10;

export interface Api extends HttpEdge {
  /** Stops the budget's sweeper; requests in flight still finish. */
  close(): void;
  /** Waits until no request is in flight, at most `budgetMs`. */
  settled(budgetMs: number): Promise<void>;
}

/** The route table: probes, sign-in, the API, the admin API, the web client. */
async function routes(ctx: AppContext, health: HealthSources): Promise<Router> {
  const router = new Router();
  healthRoutes(router, health);
  metricsRoutes(router, ctx.metrics, ctx.config.metricsToken);
  sessionRoutes(router, ctx);
  magicLinkRoutes(router, ctx);
  meRoutes(router, ctx);
  friendRoutes(router, ctx);
  blockRoutes(router, ctx);
  groupRoutes(router, ctx);
  inviteRoutes(router, ctx);
  directRoutes(router, ctx);
  adminRoutes(router, ctx);
  oauthRoutes(router, ctx);
  webClientRoutes(router, await loadWebClient(ctx.config.webDistDir, ctx.logger));
  return router;
}

/** Every HTTP route on `app` (after the WebSocket route): the API, sign-in, probes, the web client. */
export async function mountApi(
  app: TemplatedApp,
  ctx: AppContext,
  options: { health: HealthSources; clock?: Clock },
): Promise<Api> {
  const { config, logger, metrics } = ctx;
  const router = await routes(ctx, options.health);

  const restLimiter = new RateLimiter(
    [perPeriod(config.limits.restRequestsPerMinute, 60_000)],
    ctx.now,
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
    clock: options.clock,
    metrics,
    quietRoutes: new Set([HEALTH_PATH, METRICS_PATH]),
    beforeHandle(request) {
      if (!RATE_LIMITED_PREFIXES.some((prefix) => request.path.startsWith(prefix))) return;
      const spend = restLimiter.spend(request.ip);
      if (spend.ok) return;
      metrics.rateLimited("rest");
      // No path: paths carry invite and friend codes (the request's own line has its route).
      logger.info({ event: "rate_limited", limit: "rest", ip: request.ip });
      throw new AppError("rate_limited", "too many requests; slow down", {
        retryAfterMs: spend.retryAfterMs,
      });
    },
  });
  return {
    inFlight: () => http.inFlight(),
    close: () => clearInterval(sweeper),
    async settled(budgetMs) {
      const deadline = performance.now() + budgetMs;
      while (http.inFlight() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    },
  };
}
