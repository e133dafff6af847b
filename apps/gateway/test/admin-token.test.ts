import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GatewayProcess } from "./gateway-process.ts";

// The dev admin token as an operator meets it: the real process started without ADMIN_TOKEN.

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";

describe("the dev admin token of the gateway process", { timeout: 180_000 }, () => {
  const fixturesWith = (port: number, token: string) =>
    fetch(`http://127.0.0.1:${port}/admin/fixtures`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ users: 2 }),
    });

  test("without ADMIN_TOKEN, development start writes one to $DATA_DIR/admin-token (0600) and logs only the path", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "clofri-admin-"));
    const file = join(dataDir, "admin-token");
    try {
      const first = new GatewayProcess({ DATA_DIR: dataDir });
      let token: string;
      try {
        const port = await first.port();
        assert.equal(statSync(file).mode & 0o777, 0o600);
        token = readFileSync(file, "utf8").trim();
        assert.match(token, /^[A-Za-z0-9_-]{43}$/);
        const logged = await first.waitForEvent("dev_admin_token");
        assert.equal(logged.path, file);
        assert.equal(logged.isNew, true);
        assert.ok(!first.logs.some((line) => JSON.stringify(line).includes(token)));
        assert.equal((await fixturesWith(port, token)).status, 201);
        assert.equal((await fixturesWith(port, "not-the-dev-token-at-all")).status, 401);
        first.child.kill("SIGTERM");
        assert.equal((await first.exited).code, 0);
      } finally {
        await first.stop();
      }

      const second = new GatewayProcess({ DATA_DIR: dataDir });
      try {
        const port = await second.port();
        assert.equal((await second.waitForEvent("dev_admin_token")).isNew, false);
        assert.equal(readFileSync(file, "utf8").trim(), token, "an existing token is reused");
        assert.equal((await fixturesWith(port, token)).status, 201);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a token file readable by others is replaced", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "clofri-admin-"));
    const file = join(dataDir, "admin-token");
    writeFileSync(file, "exposed-token-exposed-token\n", { mode: 0o644 });
    const gateway = new GatewayProcess({ DATA_DIR: dataDir });
    try {
      const port = await gateway.port();
      const token = readFileSync(file, "utf8").trim();
      assert.notEqual(token, "exposed-token-exposed-token");
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal((await fixturesWith(port, "exposed-token-exposed-token")).status, 401);
      assert.equal((await fixturesWith(port, token)).status, 201);
    } finally {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("in production, or with ADMIN_TOKEN set, no file is written", async () => {
    const production = new GatewayProcess({ NODE_ENV: "production" });
    const configured = new GatewayProcess({ ADMIN_TOKEN });
    try {
      const [productionPort, configuredPort] = await Promise.all([
        production.port(),
        configured.port(),
      ]);
      assert.equal((await fixturesWith(productionPort, "anything-anything")).status, 404);
      assert.equal((await fixturesWith(configuredPort, ADMIN_TOKEN)).status, 201);
      for (const gateway of [production, configured]) {
        assert.throws(() => statSync(join(gateway.dataDir, "admin-token")), { code: "ENOENT" });
        assert.ok(!gateway.logs.some((line) => line.event === "dev_admin_token"));
      }
    } finally {
      await Promise.all([production.stop(), configured.stop()]);
    }
  });
});
