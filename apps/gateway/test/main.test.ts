import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GatewayProcess } from "./gateway-process.ts";

describe("the gateway process", { timeout: 180_000 }, () => {
  test("serves /health on the native uWS binary and exits 0 on SIGTERM", async () => {
    const gateway = new GatewayProcess();
    try {
      const port = await gateway.port();
      const starting = await gateway.waitForEvent("starting");
      assert.equal(starting.uwsNative, true);

      const response = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(response.status, 200);
      const health = (await response.json()) as Record<string, unknown>;
      assert.equal(health.status, "ok");
      assert.equal(health.db, "up");
      assert.equal(typeof health.uptime, "number");
      assert.equal(health.connections, 0);
      assert.equal(health.rooms, 0);
      assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");

      gateway.child.kill("SIGTERM");
      const { code } = await gateway.exited;
      assert.equal(code, 0);
      assert.ok(gateway.logs.some((line) => line.event === "shutdown_complete"));
    } finally {
      await gateway.stop();
    }
  });

  test("a bad variable stops start-up with one line naming it", async () => {
    const gateway = new GatewayProcess({ PORT: "not-a-port" });
    try {
      const { code } = await gateway.exited;
      assert.equal(code, 1);
      assert.equal(
        gateway.stderr,
        'clofri: configuration error: PORT must be a whole number from 0 to 65535, got "not-a-port"\n',
      );
    } finally {
      await gateway.stop();
    }
  });

  test("refuses to start on uWS's JavaScript fallback", async () => {
    const gateway = new GatewayProcess({ UWS_USE_FALLBACK: "1" });
    try {
      const { code } = await gateway.exited;
      assert.equal(code, 1);
      const lines = gateway.stderr.trim().split("\n");
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? "", /^clofri: uWebSockets.js loaded its JavaScript fallback/);
    } finally {
      await gateway.stop();
    }
  });
});
