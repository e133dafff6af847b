import type { Router } from "../router.ts";

export interface HealthSources {
  now(): number;
  startedAtMs: number;
  connections(): number;
  rooms(): number;
  /** Resolves true when the database answered a trivial query in time. */
  isDatabaseUp(): Promise<boolean>;
}

/** `GET /health`: 200 while serving with the database up, 503 when the database does not answer. */
export function healthRoutes(router: Router, sources: HealthSources): void {
  router.get("/health", async () => {
    const isDatabaseUp = await sources.isDatabaseUp();
    return {
      status: isDatabaseUp ? 200 : 503,
      body: {
        status: isDatabaseUp ? "ok" : "degraded",
        uptime: Math.floor((sources.now() - sources.startedAtMs) / 1000),
        connections: sources.connections(),
        rooms: sources.rooms(),
        db: isDatabaseUp ? "up" : "down",
      },
    };
  });
}
