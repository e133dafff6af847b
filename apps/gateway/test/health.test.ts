import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { RELAXED } from "./social-harness.ts";
import { chatCast, joined, useTestGateway, type WsClient } from "./ws-client.ts";

interface Health {
  status: string;
  uptime: number;
  connections: number;
  rooms: number;
  db: string;
}

async function health(t: TestGateway): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${t.base}/health`);
  return { status: response.status, body: (await response.json()) as Health };
}

for (const engine of testEngines()) {
  describe(`/health tells the truth [${engine.name}]`, () => {
    let t: TestGateway;
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, clients }, (started) => {
      t = started;
    });

    test("200 with the live counts while the database is up; 503 db down once it is not", async () => {
      const idle = await health(t);
      assert.equal(idle.status, 200);
      assert.deepEqual(
        { ...idle.body, uptime: 0 },
        {
          status: "ok",
          uptime: 0,
          connections: 0,
          rooms: 0,
          db: "up",
        },
      );

      const { alice, bob, group } = await chatCast(t);
      const aliceWs = (await joined(t, alice, group.id)).client;
      const bobWs = (await joined(t, bob, group.id)).client;
      clients.push(aliceWs, bobWs);
      t.clock.nowMs += 90_000;
      const busy = await health(t);
      assert.equal(busy.status, 200);
      assert.deepEqual(busy.body, {
        status: "ok",
        uptime: idle.body.uptime + 90,
        connections: 2,
        rooms: 1,
        db: "up",
      });

      await t.database.close();
      const down = await health(t);
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { ...busy.body, status: "degraded", db: "down" });
      // Meanwhile the connected keep chatting.
      const ack = await aliceWs.request({ type: "send", group: group.id, text: "up?", key: "h" });
      assert.equal(ack.type, "ack");
      assert.equal((await bobWs.next("message")).text, "up?");
    });
  });
}
