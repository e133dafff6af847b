import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GatewayProcess } from "./gateway-process.ts";

test("on the embedded database, accounts and sessions survive a restart", {
  timeout: 180_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "clofri-persist-"));
  try {
    const first = new GatewayProcess({}, { dataDir });
    let token: string;
    try {
      const base = `http://127.0.0.1:${await first.port()}`;
      const requested = await fetch(`${base}/auth/magic-link`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "persist@example.test" }),
      });
      assert.equal(requested.status, 202);
      // With no SMTP_URL the development default is to log the link for whoever runs the server.
      const mail = await first.waitForLine(
        (line) => line.event === "mail_logged" && line.to === "persist@example.test",
      );
      const linkToken = /#token=([\w-]+)$/.exec(String(mail.link))?.[1];
      assert.ok(linkToken, `a link in the log, got ${String(mail.link)}`);
      const verified = await fetch(`${base}/auth/magic-link/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: linkToken }),
      });
      assert.equal(verified.status, 200);
      token = /clofri_session=([^;]+)/.exec(verified.headers.get("set-cookie") ?? "")?.[1] ?? "";
      assert.ok(token);
      first.child.kill("SIGTERM");
      assert.equal((await first.exited).code, 0);
    } finally {
      await first.stop();
    }

    const second = new GatewayProcess({}, { dataDir });
    try {
      const base = `http://127.0.0.1:${await second.port()}`;
      const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      const body = (await me.json()) as { user: { email: string } };
      assert.equal(body.user.email, "persist@example.test");
      const migrations = await second.waitForEvent("migrations_applied");
      assert.equal(migrations.count, 0, "the second start finds the schema in place");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
