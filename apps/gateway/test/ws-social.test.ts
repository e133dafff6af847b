import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, call, createGroup, newPeople, type Person, RELAXED } from "./social-harness.ts";
import { chatCast, type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

// Social-graph changes made over REST reach the people concerned live, and change what their
// sockets may do at once: no reconnect needed.

for (const engine of testEngines()) {
  describe(`social events over the WebSocket [${engine.name}]`, () => {
    let t: TestGateway;
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, clients }, (started) => {
      t = started;
    });

    async function open(token: string) {
      const opened = await WsClient.open(t, token);
      clients.push(opened.client);
      return opened.client;
    }

    async function inRoom(person: Person, groupId: string) {
      const side = await joined(t, person, groupId);
      clients.push(side.client);
      return side.client;
    }

    test("added to a group: group_added, then joining and hearing its presence work at once", async () => {
      const { alice, carol } = await chatCast(t);
      const carolWs = await open(carol.token);
      const group = await createGroup(t, alice, [carol], "New");
      const added = await carolWs.next("group_added");
      assert.deepEqual(added.group, {
        id: group.id,
        name: "New",
        kind: "group",
        role: "member",
        muted: false,
        present: [],
      });
      const aliceWs = await inRoom(alice, group.id);
      await carolWs.next((f) => f.type === "user_joined" && f.userId === alice.id);
      const state = await carolWs.request({ type: "join", group: group.id });
      assert.equal(state.type, "group_state");
      await aliceWs.next((f) => f.type === "user_joined" && f.userId === carol.id);
    });

    test("kicked: out of the room at once, no more messages, no rejoin", async () => {
      const { alice, bob, group } = await chatCast(t);
      const aliceWs = await inRoom(alice, group.id);
      const bobWs = await inRoom(bob, group.id);
      const kicked = await call(t, alice, "DELETE", `/api/groups/${group.id}/members/${bob.id}`);
      assert.equal(kicked.status, 204);
      const expected = { type: "member_kicked", group: group.id, userId: bob.id };
      assert.deepEqual(await bobWs.next("member_kicked"), expected);
      assert.deepEqual(await aliceWs.next("member_kicked"), expected);
      await aliceWs.next((f) => f.type === "user_left" && f.userId === bob.id);

      const send = await bobWs.request({ type: "send", group: group.id, text: "hey", key: "k" });
      assert.equal(send.code, "not_joined");
      assert.equal((await bobWs.request({ type: "join", group: group.id })).code, "not_member");
      const ack = await aliceWs.request({ type: "send", group: group.id, text: "bye", key: "k" });
      await aliceWs.next((f) => f.type === "message" && f.id === ack.id);
      assert.deepEqual(bobWs.all("message"), [], "a kicked socket hears nothing more");
    });

    test("muted: send and typing refused with muted; unmuted: allowed again", async () => {
      const { alice, bob, group } = await chatCast(t);
      const aliceWs = await inRoom(alice, group.id);
      const bobWs = await inRoom(bob, group.id);
      const path = `/api/groups/${group.id}/members/${bob.id}`;
      assert.equal((await call(t, alice, "PATCH", path, { muted: true })).status, 200);
      assert.deepEqual(await bobWs.next("member_muted"), {
        type: "member_muted",
        group: group.id,
        userId: bob.id,
        muted: true,
      });
      await aliceWs.next("member_muted");
      const send = await bobWs.request({ type: "send", group: group.id, text: "hi", key: "k" });
      assert.equal(send.code, "muted");
      const typing = await bobWs.request({ type: "typing_start", group: group.id });
      assert.equal(typing.code, "muted");

      // A new tab joins muted too: the membership cache was updated.
      const tab = await inRoom(bob, group.id);
      const fromTab = await tab.request({ type: "send", group: group.id, text: "hi", key: "t" });
      assert.equal(fromTab.code, "muted");

      assert.equal((await call(t, alice, "PATCH", path, { muted: false })).status, 200);
      await bobWs.next((f) => f.type === "member_muted" && f.muted === false);
      const again = await bobWs.request({ type: "send", group: group.id, text: "hi", key: "k2" });
      assert.equal(again.type, "ack");
    });

    test("a member leaving: member_left for all, user_left in the room, the leaver out of it", async () => {
      const { alice, bob, group } = await chatCast(t);
      const aliceWs = await inRoom(alice, group.id);
      const bobWs = await inRoom(bob, group.id);
      assert.equal((await call(t, alice, "POST", `/api/groups/${group.id}/leave`)).status, 204);
      const left = { type: "member_left", group: group.id, userId: alice.id, creatorId: bob.id };
      assert.deepEqual(await bobWs.next("member_left"), left);
      assert.deepEqual(await aliceWs.next("member_left"), left);
      await bobWs.next((f) => f.type === "user_left" && f.userId === alice.id);
      const send = await aliceWs.request({ type: "send", group: group.id, text: "x", key: "k" });
      assert.equal(send.code, "not_joined");

      // Bob is the creator now, as a new socket's hello says.
      const { client: bobTab, hello } = await WsClient.open(t, bob.token);
      clients.push(bobTab);
      assert.equal((hello.groups as Frame[]).find((g) => g.id === group.id)?.role, "creator");
    });

    test("renamed and deleted: group_updated, group_deleted, and the room is closed", async () => {
      const { alice, bob, group } = await chatCast(t);
      const aliceWs = await inRoom(alice, group.id);
      const bobWs = await inRoom(bob, group.id);
      const renamed = await call(t, alice, "PATCH", `/api/groups/${group.id}`, { name: "Den" });
      assert.equal(renamed.status, 200);
      assert.deepEqual(await bobWs.next("group_updated"), {
        type: "group_updated",
        group: group.id,
        name: "Den",
      });
      const { client: fresh, hello } = await WsClient.open(t, bob.token);
      clients.push(fresh);
      assert.equal((hello.groups as Frame[]).find((g) => g.id === group.id)?.name, "Den");

      const rooms = t.gateway.realtime.roomCount;
      assert.equal((await call(t, alice, "DELETE", `/api/groups/${group.id}`)).status, 204);
      assert.deepEqual(await bobWs.next("group_deleted"), {
        type: "group_deleted",
        group: group.id,
      });
      await aliceWs.next("group_deleted");
      assert.equal((await bobWs.request({ type: "join", group: group.id })).code, "not_member");
      assert.equal(t.gateway.realtime.roomCount, rooms - 1);
    });

    test("friends: a request, a new friend's presence, and a removed friend's silence", async () => {
      const [erin, fay] = await newPeople(t, 2);
      assert.ok(erin && fay);
      const erinWs = await open(erin.token);
      const fayWs = await open(fay.token);
      const requested = await call<{ request: { id: string } }>(
        t,
        erin,
        "POST",
        "/api/friends/requests",
        { code: fay.code },
      );
      assert.equal(requested.status, 201);
      const request = await fayWs.next("friend_request");
      assert.deepEqual(request.request, {
        id: requested.body.request.id,
        from: { id: erin.id, displayName: erin.name, avatarUrl: null },
      });
      const accepted = await call(
        t,
        fay,
        "POST",
        `/api/friends/requests/${requested.body.request.id}/accept`,
      );
      assert.equal(accepted.status, 200);
      const added = await erinWs.next("friend_added");
      assert.deepEqual(added.friend, {
        id: fay.id,
        displayName: fay.name,
        avatarUrl: null,
        online: true,
        lastSeen: t.clock.nowMs,
        status: "active",
      });
      await fayWs.next("friend_added");

      // Now friends, each hears the other's presence.
      const fayTab = await open(fay.token);
      await fayTab.close();
      await fayWs.close();
      await erinWs.next((f) => f.type === "friend_offline" && f.userId === fay.id);
      const fayBack = await open(fay.token);
      await erinWs.next((f) => f.type === "friend_online" && f.userId === fay.id);

      assert.equal((await call(t, erin, "DELETE", `/api/friends/${fay.id}`)).status, 204);
      assert.deepEqual(await fayBack.next("friend_removed"), {
        type: "friend_removed",
        userId: erin.id,
      });
      await erinWs.next("friend_removed");
      await fayBack.close();
      const marker = await erinWs.request({ type: "heartbeat" });
      assert.equal(marker.type, "heartbeat_ack");
      assert.equal(
        erinWs.all("friend_offline").filter((f) => f.userId === fay.id).length,
        1,
        "no presence from an ex-friend",
      );
    });

    test("a request cancelled reaches both sides live; one ignored reaches only the one who ignored it", async () => {
      const [erin, fay] = await newPeople(t, 2);
      assert.ok(erin && fay);
      const erinWs = await open(erin.token);
      const fayWs = await open(fay.token);
      const ask = () =>
        call<{ request: { id: string } }>(t, erin, "POST", "/api/friends/requests", {
          code: fay.code,
        });

      const first = await ask();
      await fayWs.next("friend_request");
      const cancelled = await call(
        t,
        erin,
        "DELETE",
        `/api/friends/requests/${first.body.request.id}`,
      );
      assert.equal(cancelled.status, 204);
      const removed = { type: "friend_request_removed", requestId: first.body.request.id };
      assert.deepEqual(await fayWs.next("friend_request_removed"), removed);
      assert.deepEqual(await erinWs.next("friend_request_removed"), removed);

      const second = await ask();
      await fayWs.next("friend_request");
      const ignored = await call(
        t,
        fay,
        "POST",
        `/api/friends/requests/${second.body.request.id}/ignore`,
      );
      assert.equal(ignored.status, 204);
      assert.deepEqual(await fayWs.next("friend_request_removed"), {
        type: "friend_request_removed",
        requestId: second.body.request.id,
      });
      assert.equal((await erinWs.request({ type: "heartbeat" })).type, "heartbeat_ack");
      assert.equal(erinWs.count("friend_request_removed"), 1, "the asker is not told of an ignore");
    });

    test("a person in several groups hears each group's presence", async () => {
      const [gil, hal, ivy] = await newPeople(t, 3);
      assert.ok(gil && hal && ivy);
      await befriend(t, gil, hal, ivy);
      const one = await createGroup(t, gil, [hal], "one");
      const two = await createGroup(t, gil, [ivy], "two");
      const gilWs = await open(gil.token);
      await inRoom(hal, one.id);
      await inRoom(ivy, two.id);
      await gilWs.next((f) => f.type === "user_joined" && f.group === one.id);
      await gilWs.next((f) => f.type === "user_joined" && f.group === two.id);
    });
  });
}
