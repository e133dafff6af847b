import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, call, createGroup, LOUD, newPeople } from "./social-harness.ts";
import { type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const SECOND_MS = 1_000;

// Coalescing (one group_activity per group and person per second, one read_up_to per member per
// second) runs on the rooms' clock, a ManualClock here: the next frame goes when the test moves it.

describe("awareness over the WebSocket: read marks, activity, mentions", () => {
  let t: TestGateway;
  const clock = new ManualClock(1_000_000);
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: LOUD,
      options: { clock, enableTestHooks: true },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  /** Alice and Bob are in the room; Carol is online and a member, but has not joined it. */
  async function cast() {
    const [alice, bob, carol, dave] = await newPeople(t, 4);
    if (!alice || !bob || !carol || !dave) throw new Error("expected four people");
    await befriend(t, alice, bob, carol, dave);
    const group = (await createGroup(t, alice, [bob, carol])).id;
    const a = await joined(t, alice, group);
    const b = await joined(t, bob, group);
    const c = await WsClient.open(t, carol.token);
    clients.push(a.client, b.client, c.client);
    let keys = 0;
    const send = (client: WsClient, text: string, mentions?: string[]) =>
      client.request({
        type: "send",
        group,
        text,
        key: `k${++keys}`,
        ...(mentions ? { mentions } : {}),
      });
    return { alice, bob, carol, dave, group, a, b, c: c.client, send };
  }

  const of = (type: string, group: string) => (frame: Frame) =>
    frame.type === type && frame.group === group;

  test("group_activity reaches the member outside the room: once a second, the latest winning", async () => {
    const { bob, group, b, c, send } = await cast();
    const first = await send(b.client, "anyone up?");
    const activity = await c.next(of("group_activity", group));
    assert.deepEqual(activity, {
      type: "group_activity",
      group,
      seq: 1,
      unread: 1,
      mentioned: false,
      lastActivityAt: first.ts,
      preview: { userId: bob.id, displayName: bob.name, text: "anyone up?" },
    });
    await send(b.client, "second");
    const third = await send(b.client, "third\nline");
    await clock.advance(SECOND_MS - 1);
    await send(b.client, "fourth"); // still within the second: nothing new goes out
    assert.equal(c.count("group_activity"), 1);
    await clock.advance(1);
    const latest = await c.next(of("group_activity", group));
    assert.equal(latest.seq, 4);
    assert.equal(latest.unread, 4);
    assert.deepEqual(latest.preview, { userId: bob.id, displayName: bob.name, text: "fourth" });
    assert.ok((third.ts as number) <= (latest.lastActivityAt as number));
    assert.equal(c.count("group_activity"), 2, "one per second, the latest state");
    assert.equal(b.client.count("group_activity"), 0, "not to those in the room");
  });

  test("activity for someone sitting in another room rides on that room's next frame, or goes after 0.9 s", async () => {
    const { alice, carol, group, b, send } = await cast();
    const elsewhere = (await createGroup(t, alice, [carol])).id;
    const c = await joined(t, carol, elsewhere);
    const d = await joined(t, alice, elsewhere);
    clients.push(c.client, d.client);
    await send(b.client, "anyone up?");
    // Held: a reply asked for after the send finds no activity ahead of it.
    await c.client.request({ type: "heartbeat" });
    assert.equal(c.client.count("group_activity"), 0);
    await d.client.request({ type: "send", group: elsewhere, text: "hi", key: "d1" });
    const message = await c.client.next((f) => f.type === "message" && f.group === elsewhere);
    const activity = await c.client.next(of("group_activity", group));
    assert.equal(activity.unread, 1);
    assert.ok(
      c.client.received.indexOf(activity) < c.client.received.indexOf(message),
      "the activity goes with the room's frame, ahead of it",
    );
    // The next second's news, with nothing said in Carol's room: it goes after 0.9 s.
    // (In steps: with two gateways it reaches Carol's through NATS, and waits from there.)
    await send(b.client, "still up");
    await clock.advance(SECOND_MS);
    let waitedMs = 0;
    while (c.client.count("group_activity") < 2 && waitedMs < 5 * SECOND_MS) {
      await clock.advance(100);
      waitedMs += 100;
      await c.client.request({ type: "heartbeat" }); // what the step let go arrives before this
    }
    assert.ok(waitedMs >= 900, `held ${waitedMs} ms`);
    if (process.env.TEST_CLUSTER_PAIR !== "1") assert.equal(waitedMs, 900, "and no longer");
    const later = await c.client.next(of("group_activity", group));
    assert.deepEqual([later.unread, later.seq], [2, 2]);
  });

  test("a mention goes at once, only to members; the message carries it", async () => {
    const { alice, carol, dave, group, a, b, c, send } = await cast();
    await send(b.client, "warming up");
    await c.next(of("group_activity", group));
    // Within the second: the mention is not held back. Dave is no member: dropped.
    await send(b.client, "@Carol look", [carol.id, dave.id, carol.id]);
    const mention = await c.next(of("group_activity", group));
    assert.equal(mention.mentioned, true);
    assert.equal(mention.unread, 2);
    const message = await a.client.next((f) => f.type === "message" && f.seq === 2);
    assert.deepEqual(message.mentions, [carol.id]);
    const plain = await a.client.next((f) => f.type === "message" && f.seq === 1);
    assert.deepEqual(plain.mentions, []);
    // A mention of someone in the room reaches them as the message, not as activity.
    await send(b.client, "@Alice", [alice.id]);
    await a.client.next((f) => f.type === "message" && f.seq === 3);
    assert.equal(a.client.count("group_activity"), 0);
  });

  test("read moves my mark (never back), the room hears read_up_to at most once a second", async () => {
    const { alice, bob, group, a, b, send } = await cast();
    for (let i = 0; i < 3; i++) await send(b.client, `m${i}`);
    assert.equal((await a.client.request({ type: "read", group, seq: 1 })).type, "ack");
    const moved = await b.client.next(of("read_up_to", group));
    assert.deepEqual(moved, { type: "read_up_to", group, userId: alice.id, seq: 1 });
    await a.client.request({ type: "read", group, seq: 2 });
    await a.client.request({ type: "read", group, seq: 99 }); // past the end: up to the last
    await a.client.request({ type: "read", group, seq: 1 }); // back: ignored
    assert.equal(b.client.count("read_up_to"), 1);
    await clock.advance(SECOND_MS);
    const latest = await b.client.next(of("read_up_to", group));
    assert.deepEqual(latest, { type: "read_up_to", group, userId: alice.id, seq: 3 });
    // group_state shows every member's mark; a sender's mark is at its own message.
    const state = (await joined(t, alice, group)).state as Frame & { members: Frame[] };
    clients.push((await joined(t, bob, group)).client);
    const marks = Object.fromEntries(state.members.map((m) => [m.userId, m.readSeq]));
    assert.deepEqual(marks, { [alice.id]: 3, [bob.id]: 3 });
    const refused = await b.client.request({ type: "read", group: crypto.randomUUID(), seq: 1 });
    assert.equal(refused.code, "not_joined");
  });

  test("hello.groups[] says what I have not seen, without starting a room", async () => {
    const { alice, bob, carol, group, b, c, send } = await cast();
    const quiet = await createGroup(t, alice, [carol], "Quiet");
    await send(b.client, "hello");
    const last = await send(b.client, "@Carol ping", [carol.id]);
    await c.next((f) => f.type === "group_activity" && f.mentioned === true);
    const roomsBefore = t.gateway.realtime.roomCount;
    const { client, hello } = await WsClient.open(t, carol.token);
    clients.push(client);
    const groups = hello.groups as Frame[];
    const couch = groups.find((g) => g.id === group);
    assert.deepEqual(
      { ...couch, present: undefined },
      {
        id: group,
        name: "Couch",
        kind: "group",
        role: "member",
        muted: false,
        present: undefined,
        unread: 2,
        mentioned: true,
        lastActivityAt: last.ts,
        preview: { userId: bob.id, displayName: bob.name, text: "@Carol ping" },
      },
    );
    const none = groups.find((g) => g.id === quiet.id);
    assert.deepEqual(
      [none?.unread, none?.mentioned, none?.lastActivityAt, none?.preview],
      [0, false, null, null],
    );
    assert.equal(t.gateway.realtime.roomCount, roomsBefore, "no room started for the hello");
    // Carol joins and reads: her next hello has nothing unread.
    await client.request({ type: "join", group });
    await client.request({ type: "read", group, seq: 2 });
    const again = await WsClient.open(t, carol.token);
    clients.push(again.client);
    const after = (again.hello.groups as Frame[]).find((g) => g.id === group);
    assert.deepEqual([after?.unread, after?.mentioned], [0, false]);
  });

  test("a member who joins the group while its room runs hears of it and can be mentioned; one kicked no more", async () => {
    const { alice, carol, dave, group, a, b, c, send } = await cast();
    await send(b.client, "before Dave");
    await c.next(of("group_activity", group));
    const invite = await call<{ invite: { code: string } }>(
      t,
      alice,
      "POST",
      `/api/groups/${group}/invites`,
      {},
    );
    assert.equal(invite.status, 201, JSON.stringify(invite.body));
    const d = await WsClient.open(t, dave.token);
    clients.push(d.client);
    const joinedGroup = await call(t, dave, "POST", `/api/invites/${invite.body.invite.code}/join`);
    assert.equal(joinedGroup.status, 200, JSON.stringify(joinedGroup.body));
    await d.client.next((f) => f.type === "group_added");
    await send(b.client, "@Dave welcome", [dave.id]);
    const forDave = await d.client.next(of("group_activity", group));
    assert.deepEqual([forDave.unread, forDave.mentioned], [2, true]);
    const message = await a.client.next((f) => f.type === "message" && f.seq === 2);
    assert.deepEqual(message.mentions, [dave.id]);
    // Carol is removed: the next batch is not hers.
    const kicked = await call(t, alice, "DELETE", `/api/groups/${group}/members/${carol.id}`);
    assert.ok(kicked.status < 300, JSON.stringify(kicked.body));
    await c.next((f) => f.type === "member_kicked");
    await clock.advance(SECOND_MS);
    await send(b.client, "after Carol", [carol.id]);
    await clock.advance(SECOND_MS); // the batch of the second that just began
    const next = await d.client.next((f) => f.type === "group_activity" && f.seq === 3);
    assert.equal(next.unread, 3);
    const dropped = await a.client.next((f) => f.type === "message" && f.seq === 3);
    assert.deepEqual(dropped.mentions, [], "no longer a member: not mentioned");
    assert.equal(c.all("group_activity").filter((f) => f.seq === 3).length, 0);
  });

  test("marks and activity survive a supervisor restart of the room, and a resume shows them", async () => {
    const { alice, carol, group, a, b, c, send } = await cast();
    await send(b.client, "one", [carol.id]);
    await c.next(of("group_activity", group));
    await a.client.request({ type: "read", group, seq: 1 });
    await b.client.next(of("read_up_to", group));
    assert.equal(t.gateway.realtime.rooms.crash(group), true);
    const restarted = await a.client.next((f) => f.type === "group_state" && f.ref === undefined);
    const readSeqs = (restarted.members as Frame[]).map((m) => [m.userId, m.readSeq]);
    assert.ok(
      readSeqs.some(([id, seq]) => id === alice.id && seq === 1),
      "Alice's mark kept",
    );
    // After the restart: Carol's unread counts on, the mention still hers.
    await clock.advance(SECOND_MS);
    await send(b.client, "two");
    const activity = await c.next(of("group_activity", group));
    assert.deepEqual([activity.unread, activity.mentioned, activity.seq], [2, true, 2]);
    // A resume from seq 1 gets seq 2 with its mentions, and the marks.
    const resumed = await a.client.request({
      type: "join",
      group,
      epoch: restarted.epoch,
      afterSeq: 1,
    });
    assert.deepEqual(
      (resumed.messages as Frame[]).map((m) => [m.seq, m.mentions]),
      [[2, []]],
    );
    const marks = Object.fromEntries(
      (resumed.members as Frame[]).map((m) => [m.userId, m.readSeq]),
    );
    assert.equal(marks[alice.id], 1);
    const { client, hello } = await WsClient.open(t, carol.token);
    clients.push(client);
    const couch = (hello.groups as Frame[]).find((g) => g.id === group);
    assert.deepEqual([couch?.unread, couch?.mentioned], [2, true]);
  });
});
