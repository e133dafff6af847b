import type { Router } from "../router.ts";

export interface HealthSources {
  now(): number;
  startedAtMs: number;
  connections(): number;
  rooms(): number;
  /** Resolves true when the database answered a trivial query in time. */
  isDatabaseUp(): Promise<boolean>;
  /** True once shutdown began: load balancers should stop sending traffic here. */
  isStopping(): boolean;
}

export const HEALTH_PATH = "/health";

/**
 * `GET /health`: 200 `ok` while serving with the database up; 503 `degraded` when the database
 * does not answer (connected users keep chatting meanwhile), 503 `stopping` during shutdown.
 */
export function healthRoutes(router: Router, sources: HealthSources): void {
  router.get(HEALTH_PATH, async () => {
    const isDatabaseUp = await sources.isDatabaseUp();
    const isStopping = sources.isStopping();
    const isHealthy = isDatabaseUp && !isStopping;
    return {
      status: isHealthy ? 200 : 503,
      body: {
        status: isStopping ? "stopping" : isDatabaseUp ? "ok" : "degraded",
        uptime: Math.floor((sources.now() - sources.startedAtMs) / 1000),
        connections: sources.connections(),
        rooms: sources.rooms(),
        db: isDatabaseUp ? "up" : "down",
      },
    };
  });
}
