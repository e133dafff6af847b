import { AppError } from "../../app-error.ts";
import type { GatewayMetrics } from "../../obs/metrics.ts";
import { isSameSecret } from "../../tokens.ts";
import type { Router } from "../router.ts";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics`: the Prometheus text exposition. With METRICS_TOKEN set it needs
 * `Authorization: Bearer <token>`, compared in constant time.
 */
export function metricsRoutes(
  router: Router,
  metrics: GatewayMetrics,
  token: string | undefined,
): void {
  router.get(METRICS_PATH, async (request) => {
    if (token !== undefined) {
      const authorization = request.headers.get("authorization") ?? "";
      const presented = /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
      if (presented === undefined || !isSameSecret(presented, token)) {
        request.log.warn({ event: "metrics_unauthorized", ip: request.ip });
        throw new AppError("unauthorized", "this needs Authorization: Bearer <METRICS_TOKEN>");
      }
    }
    return {
      status: 200,
      headers: { "content-type": metrics.contentType },
      body: await metrics.expose(),
    };
  });
}
