import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Request } from "../router.ts";
import { Router } from "../router.ts";
import { type HealthSources, healthRoutes } from "./health.ts";

async function health(sources: Partial<HealthSources>) {
  const router = new Router();
  healthRoutes(router, {
    now: () => 65_500,
    startedAtMs: 0,
    connections: () => 3,
    rooms: () => 1,
    isDatabaseUp: async () => true,
    isStopping: () => false,
    ...sources,
  });
  const match = router.match("GET", "/health");
  if (!match.ok) throw match.error;
  return match.handler({} as Request);
}

describe("GET /health", () => {
  test("200 ok while serving with the database up", async () => {
    assert.deepEqual(await health({}), {
      status: 200,
      body: { status: "ok", uptime: 65, connections: 3, rooms: 1, db: "up" },
    });
  });

  test("503 degraded when the database does not answer", async () => {
    const reply = await health({ isDatabaseUp: async () => false });
    assert.equal(reply.status, 503);
    assert.deepEqual(reply.body, {
      status: "degraded",
      uptime: 65,
      connections: 3,
      rooms: 1,
      db: "down",
    });
  });

  test("503 stopping once shutdown began, so balancers stop sending traffic", async () => {
    const reply = await health({ isStopping: () => true });
    assert.equal(reply.status, 503);
    assert.equal((reply.body as { status: string }).status, "stopping");
  });
});
