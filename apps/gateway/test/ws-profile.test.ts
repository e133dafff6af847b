import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { call, newPerson, RELAXED } from "./social-harness.ts";
import { chatCast, joined, useTestGateway, WsClient } from "./ws-client.ts";

for (const engine of testEngines()) {
  describe(`a new name reaches every open socket [${engine.name}]`, () => {
    let t: TestGateway;
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, clients }, (started) => {
      t = started;
    });

    test("PATCH /api/me: profile_updated to me, my friends and my groups' members; my open socket speaks with the new name", async () => {
      const { alice, bob, carol, dave, group } = await chatCast(t);
      // Dave joins Alice's group by invite: a co-member who is not her friend.
      const invite = await call<{ invite: { code: string } }>(
        t,
        alice,
        "POST",
        `/api/groups/${group.id}/invites`,
        {},
      );
      assert.equal(
        (await call(t, dave, "POST", `/api/invites/${invite.body.invite.code}/join`)).status,
        200,
      );
      const stranger = await newPerson(t);
      const aliceWs = await joined(t, alice, group.id);
      const bobWs = await joined(t, bob, group.id);
      const carolWs = await WsClient.open(t, carol.token);
      const daveWs = await WsClient.open(t, dave.token);
      const strangerWs = await WsClient.open(t, stranger.token);
      clients.push(aliceWs.client, bobWs.client, carolWs.client, daveWs.client, strangerWs.client);

      const renamed = await call(t, alice, "PATCH", "/api/me", { displayName: "Alicia" });
      assert.equal(renamed.status, 200);
      const expected = {
        type: "profile_updated",
        user: { id: alice.id, displayName: "Alicia", avatarUrl: null },
      };
      for (const { client } of [aliceWs, bobWs, carolWs, daveWs]) {
        assert.deepEqual(await client.next("profile_updated"), expected);
      }

      // Frames from the socket Alice had open before carry her new name.
      await aliceWs.client.request({ type: "typing_start", group: group.id });
      assert.equal((await bobWs.client.next("user_typing")).displayName, "Alicia");
      await aliceWs.client.request({ type: "send", group: group.id, text: "hi", key: "k1" });
      assert.equal((await bobWs.client.next("message")).displayName, "Alicia");

      // The room shows it to whoever joins next, and a new socket's hello has it.
      const bobTab = await joined(t, bob, group.id);
      clients.push(bobTab.client);
      const members = bobTab.state.members as Array<{ userId: string; displayName: string }>;
      assert.equal(members.find((member) => member.userId === alice.id)?.displayName, "Alicia");
      const friends = bobTab.hello.friends as Array<{ id: string; displayName: string }>;
      assert.equal(friends.find((friend) => friend.id === alice.id)?.displayName, "Alicia");

      // Someone who neither befriended her nor shares a group hears nothing.
      assert.equal((await strangerWs.client.request({ type: "heartbeat" })).type, "heartbeat_ack");
      assert.equal(strangerWs.client.count("profile_updated"), 0);

      // Saving the same name again tells nobody anything.
      assert.equal(
        (await call(t, alice, "PATCH", "/api/me", { displayName: "Alicia" })).status,
        200,
      );
      assert.equal((await carolWs.client.request({ type: "heartbeat" })).type, "heartbeat_ack");
      assert.equal(carolWs.client.count("profile_updated"), 1);
    });
  });
}
