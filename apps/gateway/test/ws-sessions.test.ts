import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { call, RELAXED } from "./social-harness.ts";
import { chatCast, closeAll, joined, useTestGateway, WsClient } from "./ws-client.ts";

const ADMIN_TOKEN = "admin-token-for-ws-tests-0123456789";
const [firstEngine] = testEngines();

describe("sessions ending close their sockets with 4001", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway({ engine: firstEngine, env: { ...RELAXED, ADMIN_TOKEN }, clients }, (started) => {
    t = started;
  });

  async function open(token: string) {
    const { client } = await WsClient.open(t, token);
    clients.push(client);
    return client;
  }

  const admin = (method: string, path: string) =>
    fetch(`${t.base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  test("logout closes that session's sockets, and only those", async () => {
    const { alice, bob, group } = await chatCast(t);
    const other = await t.gateway.context.sessions.create(alice.id, undefined);
    const tab1 = await open(alice.token);
    const tab2 = await open(alice.token);
    const phone = await open(other.token);
    const bobSide = await joined(t, bob, group.id);
    clients.push(bobSide.client);

    assert.equal((await call(t, alice, "POST", "/auth/logout")).status, 204);
    assert.deepEqual(await tab1.closed, { code: 4001, reason: "session ended" });
    assert.equal((await tab2.closed).code, 4001);
    assert.equal((await phone.request({ type: "heartbeat" })).type, "heartbeat_ack");
    assert.equal(
      await WsClient.refusal(t, alice.token),
      CLOSE_CODES.sessionEnded,
      "the token no longer opens a socket",
    );
    await bobSide.client.request({ type: "heartbeat" });
    assert.equal(bobSide.client.all("friend_offline").length, 0, "Alice is still online");
  });

  test("revoking every session of a user closes all their sockets", async () => {
    const { alice } = await chatCast(t);
    const other = await t.gateway.context.sessions.create(alice.id, undefined);
    const tab = await open(alice.token);
    const phone = await open(other.token);
    const revoked = await admin("POST", `/admin/users/${alice.id}/revoke-sessions`);
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();
    assert.equal((await tab.closed).code, 4001);
    assert.equal((await phone.closed).code, 4001);
  });

  test("deleting a user closes their sockets; friends are told they are gone", async () => {
    const { alice, bob } = await chatCast(t);
    const bobWs = await open(bob.token);
    const aliceWs = await open(alice.token);
    await bobWs.next((f) => f.type === "friend_online" && f.userId === alice.id);
    const deleted = await admin("DELETE", `/admin/users/${alice.id}`);
    assert.equal(deleted.status, 204);
    await deleted.arrayBuffer();
    assert.equal((await aliceWs.closed).code, 4001);
    assert.deepEqual(await bobWs.next("friend_removed"), {
      type: "friend_removed",
      userId: alice.id,
    });
  });
});

describe("shutdown", () => {
  test("closes every socket with 1001", async () => {
    if (!firstEngine) throw new Error("expected a test engine");
    const t = await startTestGateway(firstEngine, RELAXED);
    const clients: WsClient[] = [];
    try {
      const { alice, bob, group } = await chatCast(t);
      clients.push((await joined(t, alice, group.id)).client);
      clients.push((await WsClient.open(t, bob.token)).client);
      await t.gateway.shutdown();
      for (const client of clients) {
        assert.deepEqual(await client.closed, { code: 1001, reason: "server shutting down" });
      }
      assert.equal(t.gateway.realtime.connectionCount, 0);
    } finally {
      await closeAll(clients);
      await t.close();
    }
  });
});

for (const engine of testEngines()) {
  describe(`with the database down [${engine.name}]`, () => {
    let t: TestGateway;
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, clients }, (started) => {
      t = started;
    });

    test("connected users keep chatting; new sign-ins are closed with 1001 to retry; /health says db down", async () => {
      const { alice, bob, carol, group } = await chatCast(t);
      const aliceWs = (await joined(t, alice, group.id)).client;
      const bobWs = (await joined(t, bob, group.id)).client;
      clients.push(aliceWs, bobWs);
      // Carol's session is valid (and cached), but nothing of hers is loaded yet.
      await t.database.close();

      const ack = await aliceWs.request({
        type: "send",
        group: group.id,
        text: "still?",
        key: "a",
      });
      assert.equal(ack.type, "ack");
      assert.equal((await bobWs.next("message")).text, "still?");
      assert.equal((await aliceWs.request({ type: "leave", group: group.id })).type, "ack");
      assert.equal((await aliceWs.request({ type: "join", group: group.id })).type, "group_state");

      // Another tab of a connected user is served from what the gateway holds.
      const { client: tab, hello } = await WsClient.open(t, alice.token);
      clients.push(tab);
      assert.deepEqual(
        (hello.groups as Array<{ id: string }>).map((g) => g.id),
        [group.id],
      );
      assert.equal((await tab.request({ type: "join", group: group.id })).type, "group_state");

      assert.equal(await WsClient.refusal(t, carol.token), CLOSE_CODES.goingAway);
      assert.equal(
        await WsClient.refusal(t, "a-token-the-cache-has-never-seen"),
        CLOSE_CODES.goingAway,
      );

      const health = await fetch(`${t.base}/health`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { db: string }).db, "down");
      await t.gateway.realtime.writeLastSeen();
    });
  });
}
