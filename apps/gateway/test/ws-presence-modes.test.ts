import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { call, errorCode, type Person, RELAXED } from "./social-harness.ts";
import { chatCast, type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

// Presence modes (PROTOCOL 1.1, "Presence modes"): what friends, group members and the person's
// own tabs see of auto, busy and appear offline, live and after a reconnect.

for (const engine of testEngines()) {
  describe(`presence modes [${engine.name}]`, () => {
    let t: TestGateway;
    const clock = new ManualClock(1_000_000);
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, options: { clock }, clients }, (started) => {
      t = started;
    });

    async function open(person: Person) {
      const opened = await WsClient.open(t, person.token);
      clients.push(opened.client);
      return opened;
    }

    async function setMode(person: Person, presenceMode: string) {
      const reply = await call<{ user: Frame }>(t, person, "PATCH", "/api/me", { presenceMode });
      assert.equal(reply.status, 200);
      return reply.body.user;
    }

    async function friendOf(viewer: Person, friendId: string): Promise<Frame | undefined> {
      const reply = await call<{ friends: Frame[] }>(t, viewer, "GET", "/api/friends");
      return reply.body.friends.find((friend) => friend.id === friendId);
    }

    test("busy: friends are told, see it in hello and the API; my own tabs hear my mode", async () => {
      const { alice, bob } = await chatCast(t);
      const { client: aliceWs } = await open(alice);
      const { client: bobWs, hello: bobHello } = await open(bob);
      assert.equal((bobHello.user as Frame).presenceMode, "auto");
      await aliceWs.next(about("friend_online", bob.id));

      const user = await setMode(bob, "busy");
      assert.equal(user.presenceMode, "busy");
      assert.deepEqual(await aliceWs.next(about("friend_status", bob.id)), {
        type: "friend_status",
        userId: bob.id,
        status: "busy",
      });
      assert.deepEqual(await bobWs.next("presence_mode"), {
        type: "presence_mode",
        presenceMode: "busy",
      });
      assert.equal((await friendOf(alice, bob.id))?.status, "busy");
      const { hello } = await open(alice);
      const seen = (hello.friends as Frame[]).find((friend) => friend.id === bob.id);
      assert.equal(seen?.online, true);
      assert.equal(seen?.status, "busy");
      const again = await open(bob);
      assert.equal((again.hello.user as Frame).presenceMode, "busy", "after a reconnect too");
      const me = await call<{ user: Frame }>(t, bob, "GET", "/api/me");
      assert.equal(me.body.user.presenceMode, "busy");

      await setMode(bob, "auto");
      assert.equal((await aliceWs.next(about("friend_status", bob.id))).status, "active");
    });

    test("a busy person coming online is announced as busy", async () => {
      const { alice, bob } = await chatCast(t);
      await setMode(bob, "busy");
      const { client: aliceWs } = await open(alice);
      await open(bob);
      assert.deepEqual(await aliceWs.next(about("friend_online", bob.id)), {
        type: "friend_online",
        userId: bob.id,
        status: "busy",
      });
    });

    test("idle and active follow every tab of the person", async () => {
      const { alice, bob, carol } = await chatCast(t);
      const { client: aliceWs } = await open(alice);
      const { client: bobWs } = await open(bob);
      const { client: bobTab } = await open(bob);
      // Opened two after bobWs: on a cluster pair, on the same gateway as bobWs (each new socket
      // goes to the next gateway), so what Carol causes there reaches Alice after what bobWs did.
      const { client: carolWs } = await open(carol);
      await aliceWs.next(about("friend_online", bob.id));
      await aliceWs.next(about("friend_online", carol.id));
      await bobWs.request({ type: "heartbeat", idle: true });
      await bobTab.request({ type: "heartbeat" });
      // Carol's only tab going idle: a friend_status Bob's idle tab caused would come before it.
      await carolWs.request({ type: "heartbeat", idle: true });
      assert.equal((await aliceWs.next(about("friend_status", carol.id))).status, "idle");
      assert.deepEqual(
        aliceWs.all("friend_status").filter((frame) => frame.userId === bob.id),
        [],
        "one tab is still active",
      );
      await bobTab.request({ type: "heartbeat", idle: true });
      assert.equal((await aliceWs.next(about("friend_status", bob.id))).status, "idle");
      assert.equal((await friendOf(alice, bob.id))?.status, "idle");
      await bobTab.request({ type: "heartbeat", idle: false });
      assert.equal((await aliceWs.next(about("friend_status", bob.id))).status, "active");
    });

    test("appear offline: friends see an offline as of the switch, and nothing on reconnects", async () => {
      const { alice, bob } = await chatCast(t);
      const { client: aliceWs } = await open(alice);
      const { client: bobWs } = await open(bob);
      await aliceWs.next(about("friend_online", bob.id));
      t.clock.nowMs += 5_000;
      const switchedAt = t.clock.nowMs;
      await setMode(bob, "offline");
      assert.deepEqual(await aliceWs.next(about("friend_offline", bob.id)), {
        type: "friend_offline",
        userId: bob.id,
        lastSeen: switchedAt,
      });
      assert.equal((await bobWs.next("presence_mode")).presenceMode, "offline");

      t.clock.nowMs += 60_000;
      const bobAgain = await open(bob);
      assert.equal((bobAgain.hello.user as Frame).presenceMode, "offline");
      await t.gateway.realtime.writeLastSeen();
      const viewed = await friendOf(alice, bob.id);
      assert.deepEqual(
        [viewed?.online, viewed?.status, viewed?.lastSeen],
        [false, "offline", switchedAt],
      );
      const { hello } = await open(alice);
      const seen = (hello.friends as Frame[]).find((friend) => friend.id === bob.id);
      assert.deepEqual(
        [seen?.online, seen?.status, seen?.lastSeen],
        [false, "offline", switchedAt],
      );
      const row = await t.database.db
        .selectFrom("users")
        .select("last_seen_at")
        .where("id", "=", bob.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.last_seen_at?.getTime(), switchedAt, "the stored time stays the switch's");

      await bobWs.close();
      await bobAgain.client.close();
      const bobBack = await open(bob);
      await setMode(bob, "auto");
      await aliceWs.next(about("friend_online", bob.id));
      assert.deepEqual(
        aliceWs.all("friend_offline").map((frame) => frame.userId),
        [bob.id],
        "the reconnects while hidden showed nothing",
      );
      await bobBack.client.close();
    });

    test("appear offline: left out of the groups' home presence, still shown in the room", async () => {
      const { alice, bob, group } = await chatCast(t);
      await setMode(bob, "offline");
      const bobIn = await joined(t, bob, group.id);
      clients.push(bobIn.client);
      const aliceIn = await joined(t, alice, group.id);
      clients.push(aliceIn.client);
      const members = (aliceIn.state.members as Frame[]).map((member) => member.userId);
      assert.ok(members.includes(bob.id), "in the room, the room shows them");
      const { hello } = await open(alice);
      const present = (hello.groups as Frame[]).find((g) => g.id === group.id)?.present;
      assert.deepEqual(present, [alice.id]);
      const view = await call<{ group: Frame }>(t, alice, "GET", `/api/groups/${group.id}`);
      assert.deepEqual(view.body.group.present, [alice.id]);
    });

    test("appear offline in a room: the room hears of them, the group's home does not", async () => {
      const { alice, bob, group } = await chatCast(t);
      const { client: home } = await open(alice);
      const { client: room } = await joined(t, alice, group.id);
      clients.push(room);
      const heard = async (type: string) => {
        await home.request({ type: "heartbeat" });
        return home.all(type).filter((frame) => frame.userId === bob.id).length;
      };
      await setMode(bob, "offline");
      const bobIn = await joined(t, bob, group.id);
      clients.push(bobIn.client);
      await room.next(about("user_joined", bob.id));
      assert.equal(await heard("user_joined"), 0, "home heard nothing of the join");

      await setMode(bob, "auto");
      await home.next(about("user_joined", bob.id));
      await setMode(bob, "offline");
      await home.next(about("user_left", bob.id));
      await room.next(about("user_left", bob.id));
      await room.next(about("user_joined", bob.id));
      const state = await room.request({ type: "join", group: group.id });
      const members = (state.members as Frame[]).map((member) => member.userId);
      assert.ok(members.includes(bob.id), "still in the room as the room sees it");

      await bobIn.client.request({ type: "leave", group: group.id });
      await room.next(about("user_left", bob.id));
      assert.equal(await heard("user_left"), 1, "home heard only the leave of the switch");
    });

    test("an unknown mode is refused", async () => {
      const { alice } = await chatCast(t);
      const reply = await call(t, alice, "PATCH", "/api/me", { presenceMode: "invisible" });
      assert.equal(reply.status, 400);
      assert.equal(errorCode(reply.body), "invalid_request");
    });
  });
}

function about(type: string, userId: string) {
  return (frame: Frame) => frame.type === type && frame.userId === userId;
}
