import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { call, RELAXED } from "./social-harness.ts";
import { chatCast, dropSeen, type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

const GRACE_MS = 5_000;

// Room and presence timers run on a ManualClock: the grace passes when the test says so.

for (const engine of testEngines()) {
  describe(`presence across tabs and drops [${engine.name}]`, () => {
    let t: TestGateway;
    const clock = new ManualClock(1_000_000);
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, options: { clock }, clients }, (started) => {
      t = started;
    });

    /** Alice watches; Bob (her friend) is in the room. */
    async function watched() {
      const cast = await chatCast(t);
      const alice = await joined(t, cast.alice, cast.group.id);
      const bob = await joined(t, cast.bob, cast.group.id);
      clients.push(alice.client, bob.client);
      await alice.client.next(about("friend_online", cast.bob.id));
      return { ...cast, aliceWs: alice.client, bobWs: bob.client };
    }

    /** A reply from the room after it handled everything sent to it before. */
    async function roomRoundTrip(ws: WsClient, group: string): Promise<void> {
      const reply = await ws.request({ type: "typing_stop", group });
      assert.equal(reply.type, "ack");
    }

    test("a friend coming online is announced, and the REST API agrees", async () => {
      const { alice, bob } = await chatCast(t);
      const { client: aliceWs, hello } = await WsClient.open(t, alice.token);
      clients.push(aliceWs);
      assert.equal((hello.friends as Frame[]).find((f) => f.id === bob.id)?.online, false);
      const { client: bobWs } = await WsClient.open(t, bob.token);
      clients.push(bobWs);
      assert.deepEqual(await aliceWs.next("friend_online"), {
        type: "friend_online",
        userId: bob.id,
      });
      const friends = await call<{ friends: Frame[] }>(t, alice, "GET", "/api/friends");
      assert.equal(friends.body.friends.find((f) => f.id === bob.id)?.online, true);

      await bobWs.close();
      const offline = await aliceWs.next("friend_offline");
      assert.deepEqual(offline, {
        type: "friend_offline",
        userId: bob.id,
        lastSeen: t.clock.nowMs,
      });
      const later = await call<{ friends: Frame[] }>(t, alice, "GET", "/api/friends");
      const bobNow = later.body.friends.find((f) => f.id === bob.id);
      assert.equal(bobNow?.online, false);
      assert.equal(bobNow?.lastSeen, t.clock.nowMs);
    });

    test("closing one of two tabs changes nothing others see; closing the last shows the leave at once", async () => {
      const { bob, group, aliceWs, bobWs } = await watched();
      const secondTab = await joined(t, bob, group.id);
      clients.push(secondTab.client);

      await bobWs.close();
      await roomRoundTrip(aliceWs, group.id);
      assert.deepEqual(aliceWs.all("user_left"), []);
      assert.deepEqual(aliceWs.all("friend_offline"), []);
      assert.equal(
        aliceWs.all("user_joined").filter((f) => f.userId === bob.id).length,
        1,
        "the second tab's join showed nothing either",
      );

      await secondTab.client.close();
      assert.deepEqual(await aliceWs.next("user_left"), {
        type: "user_left",
        group: group.id,
        userId: bob.id,
      });
      await aliceWs.next(about("friend_offline", bob.id));
    });

    test("a drop and a reconnect within the grace show nobody a leave and a join", async () => {
      const { bob, group, aliceWs, bobWs } = await watched();
      await bobWs.terminate();
      await dropSeen(t, bob.id);
      assert.deepEqual(t.gateway.realtime.presence.presentIn(group.id).includes(bob.id), true);
      assert.equal(t.gateway.realtime.presence.isOnline(bob.id), true, "online during the grace");

      await clock.advance(GRACE_MS - 1_000);
      const back = await joined(t, bob, group.id);
      clients.push(back.client);
      await clock.advance(GRACE_MS + 1_000);
      await roomRoundTrip(aliceWs, group.id);

      assert.deepEqual(aliceWs.all("user_left"), []);
      assert.deepEqual(aliceWs.all("friend_offline"), []);
      assert.equal(aliceWs.all("user_joined").filter((f) => f.userId === bob.id).length, 1);
      assert.equal(aliceWs.all("friend_online").filter((f) => f.userId === bob.id).length, 1);
    });

    test("a drop without a reconnect shows the leave once the grace is over", async () => {
      const { bob, group, aliceWs, bobWs } = await watched();
      await bobWs.terminate();
      await dropSeen(t, bob.id);
      const droppedAt = t.clock.nowMs;
      t.clock.nowMs += GRACE_MS;
      await clock.advance(GRACE_MS);
      assert.deepEqual(await aliceWs.next("user_left"), {
        type: "user_left",
        group: group.id,
        userId: bob.id,
      });
      assert.deepEqual(await aliceWs.next(about("friend_offline", bob.id)), {
        type: "friend_offline",
        userId: bob.id,
        lastSeen: droppedAt,
      });
      assert.equal(t.gateway.realtime.presence.isOnline(bob.id), false);
    });

    test("typing is cleared when its socket goes", async () => {
      const { bob, group, aliceWs, bobWs } = await watched();
      await bobWs.request({ type: "typing_start", group: group.id });
      await aliceWs.next(about("user_typing", bob.id));
      await bobWs.close();
      assert.deepEqual(await aliceWs.next(about("user_stopped_typing", bob.id)), {
        type: "user_stopped_typing",
        group: group.id,
        userId: bob.id,
      });
    });

    test("last_seen_at is written for online users and for those who left", async () => {
      const { alice, bob } = await chatCast(t);
      const { client } = await WsClient.open(t, alice.token);
      clients.push(client);
      const bobSide = await WsClient.open(t, bob.token);
      t.clock.nowMs += 10_000;
      await bobSide.client.close();
      const bobLeftAt = t.clock.nowMs;
      t.clock.nowMs += 10_000;
      await t.gateway.realtime.writeLastSeen();
      const rows = await t.database.db
        .selectFrom("users")
        .select(["id", "last_seen_at"])
        .where("id", "in", [alice.id, bob.id])
        .execute();
      const seen = new Map(rows.map((row) => [row.id, row.last_seen_at?.getTime()]));
      assert.equal(seen.get(alice.id), t.clock.nowMs);
      assert.equal(seen.get(bob.id), bobLeftAt);
      // One gateway forgets what its row now holds; a cluster keeps what it heard from the others.
      const remembered = t.nextWsBase === undefined ? undefined : bobLeftAt;
      assert.equal(t.gateway.realtime.presence.lastSeen(bob.id), remembered, "the row has it now");
    });
  });
}

function about(type: string, userId: string) {
  return (frame: Frame) => frame.type === type && frame.userId === userId;
}
