import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, createGroup, newPeople, RELAXED } from "./social-harness.ts";
import { closeAll, type Frame, useTestGateway, WsClient } from "./ws-client.ts";

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

for (const engine of testEngines()) {
  describe(`many sockets opening at once, as after a restart [${engine.name}]`, () => {
    let t: TestGateway;
    useTestGateway({ engine, env: RELAXED }, (started) => {
      t = started;
    });

    test("each socket gets its own hello, and friends' presence reaches every tab of every friend and no one else", async () => {
      const [alice, bob, carol, dave] = await newPeople(t, 4);
      assert.ok(alice && bob && carol && dave);
      await befriend(t, alice, bob, carol);
      const group = await createGroup(t, alice, [bob]);

      const opened = await Promise.all(
        [alice, alice, bob, carol, dave].map((person) => WsClient.open(t, person.token)),
      );
      const clients = opened.map(({ client }) => client);
      try {
        const [aliceTab1, aliceTab2, bobWs, carolWs, daveWs] = opened;
        assert.ok(aliceTab1 && aliceTab2 && bobWs && carolWs && daveWs);
        for (const [{ client, hello }, person] of opened.map(
          (socket, i) => [socket, [alice, alice, bob, carol, dave][i]] as const,
        )) {
          assert.equal(client.received[0], hello, "hello comes first");
          assert.equal((hello.user as { id: string }).id, person?.id);
        }
        const friendsOf = (hello: Frame) =>
          (hello.friends as Array<{ id: string; displayName: string }>)
            .map(({ id, displayName }) => ({ id, displayName }))
            .sort(byId);
        assert.deepEqual(
          friendsOf(aliceTab1.hello),
          [
            { id: bob.id, displayName: bob.name },
            { id: carol.id, displayName: carol.name },
          ].sort(byId),
        );
        assert.deepEqual(friendsOf(bobWs.hello), [{ id: alice.id, displayName: alice.name }]);
        assert.deepEqual(friendsOf(daveWs.hello), []);
        assert.deepEqual(
          (bobWs.hello.groups as Frame[]).map((g) => [g.id, g.name, g.role]),
          [[group.id, group.name, "member"]],
        );
        assert.deepEqual(
          (aliceTab2.hello.groups as Frame[]).map((g) => [g.id, g.name, g.role]),
          [[group.id, group.name, "creator"]],
        );

        await carolWs.client.close();
        for (const tab of [aliceTab1, aliceTab2]) {
          const offline = await tab.client.next(
            (f) => f.type === "friend_offline" && f.userId === carol.id,
          );
          assert.equal(offline.lastSeen, t.clock.nowMs);
        }
        const carolBack = await WsClient.open(t, carol.token);
        clients.push(carolBack.client);
        for (const tab of [aliceTab1, aliceTab2]) {
          await tab.client.next((f) => f.type === "friend_online" && f.userId === carol.id);
        }
        for (const { client } of [bobWs, daveWs]) {
          const marker = await client.request({ type: "heartbeat" });
          assert.equal(marker.type, "heartbeat_ack");
          assert.deepEqual(
            client.received.filter(
              (f) => f.type === "friend_online" || f.type === "friend_offline",
            ),
            [],
            "not carol's friends: they hear nothing of her",
          );
        }
      } finally {
        await closeAll(clients);
      }
    });
  });
}
