import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { RELAXED } from "./social-harness.ts";
import { chatCast, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();

describe("chatting over the WebSocket", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway({ engine, env: RELAXED, clients }, (started) => {
    t = started;
  });

  /** Alice and Bob, each with a socket in their group's room. */
  async function room() {
    const cast = await chatCast(t);
    const alice = await joined(t, cast.alice, cast.group.id);
    const bob = await joined(t, cast.bob, cast.group.id);
    clients.push(alice.client, bob.client);
    return { ...cast, aliceWs: alice.client, bobWs: bob.client, aliceState: alice.state };
  }

  test("join answers with group_state carrying the ref; the others see user_joined", async () => {
    const { alice, bob, group } = await chatCast(t);
    const aliceSide = await joined(t, alice, group.id);
    clients.push(aliceSide.client);
    const { state } = aliceSide;
    assert.equal(state.group, group.id);
    assert.equal(typeof state.epoch, "string");
    assert.deepEqual(state.messages, []);
    assert.equal(state.expired, 0);
    assert.deepEqual(state.retention, { maxMessages: 50, maxAgeMs: 86_400_000 });
    assert.deepEqual(
      (state.members as Array<{ userId: string; status: string; typing: boolean }>).map(
        ({ userId, status, typing }) => ({ userId, status, typing }),
      ),
      [{ userId: alice.id, status: "active", typing: false }],
    );

    const bobSide = await WsClient.open(t, bob.token);
    clients.push(bobSide.client);
    assert.deepEqual((bobSide.hello.groups as Array<{ present: string[] }>)[0]?.present, [
      alice.id,
    ]);
    await bobSide.client.request({ type: "join", group: group.id });
    // Every online member hears presence, Alice of her own join too.
    const seen = await aliceSide.client.next(
      (f) => f.type === "user_joined" && f.userId === bob.id,
    );
    assert.deepEqual(seen, {
      type: "user_joined",
      group: group.id,
      userId: bob.id,
      displayName: bob.name,
    });
  });

  test("send is acked with id and ts, and both people get the message", async () => {
    const { alice, group, aliceWs, bobWs } = await room();
    const ack = await aliceWs.request({ type: "send", group: group.id, text: " hi  ", key: "k1" });
    assert.equal(ack.type, "ack");
    assert.equal(typeof ack.id, "string");
    assert.equal(ack.ts, t.clock.nowMs);
    for (const ws of [aliceWs, bobWs]) {
      const message = await ws.next("message");
      assert.deepEqual(message, {
        type: "message",
        group: group.id,
        id: ack.id,
        seq: 1,
        userId: alice.id,
        displayName: alice.name,
        text: "hi",
        ts: ack.ts,
        key: "k1",
        mentions: [],
        reactions: {},
      });
    }
  });

  test("a retried key gets the same ack and no second message", async () => {
    const { group, aliceWs, bobWs } = await room();
    const first = await aliceWs.request({ type: "send", group: group.id, text: "once", key: "k" });
    const again = await aliceWs.request({ type: "send", group: group.id, text: "once", key: "k" });
    assert.equal(again.id, first.id);
    const marker = await aliceWs.request({
      type: "send",
      group: group.id,
      text: "next",
      key: "k2",
    });
    await bobWs.next((f) => f.type === "message" && f.id === marker.id);
    assert.deepEqual(
      bobWs.all("message").map((m) => m.text),
      ["once", "next"],
    );
  });

  test("a group the user is not in is not_member; a room not joined is not_joined", async () => {
    const { group, dave } = await chatCast(t);
    const { client } = await WsClient.open(t, dave.token);
    clients.push(client);
    const join = await client.request({ type: "join", group: group.id });
    assert.equal(join.type, "error");
    assert.equal(join.code, "not_member");
    for (const frame of [
      { type: "send", group: group.id, text: "hi", key: "k" },
      { type: "leave", group: group.id },
      { type: "typing_start", group: group.id },
      { type: "typing_stop", group: group.id },
    ]) {
      const reply = await client.request(frame);
      assert.equal(reply.code, "not_joined", frame.type);
    }
  });

  test("typing reaches the others and is acked; leave is acked and shown at once", async () => {
    const { alice, bob, group, aliceWs, bobWs } = await room();
    assert.equal((await bobWs.request({ type: "typing_start", group: group.id })).type, "ack");
    assert.deepEqual(await aliceWs.next("user_typing"), {
      type: "user_typing",
      group: group.id,
      userId: bob.id,
      displayName: bob.name,
    });
    assert.equal((await bobWs.request({ type: "typing_stop", group: group.id })).type, "ack");
    await aliceWs.next("user_stopped_typing");

    const leave = await bobWs.request({ type: "leave", group: group.id });
    assert.deepEqual(Object.keys(leave).sort(), ["ref", "type"]);
    assert.equal(leave.type, "ack");
    assert.deepEqual(await aliceWs.next("user_left"), {
      type: "user_left",
      group: group.id,
      userId: bob.id,
    });
    const send = await bobWs.request({ type: "send", group: group.id, text: "x", key: "k" });
    assert.equal(send.code, "not_joined");
    assert.ok(alice);
  });

  test("text rules: empty, too long or with control characters is text_invalid", async () => {
    const { group, aliceWs } = await room();
    const empty = await aliceWs.request({ type: "send", group: group.id, text: "   ", key: "a" });
    assert.equal(empty.code, "text_invalid");
    const bell = await aliceWs.request({
      type: "send",
      group: group.id,
      text: "a\u0007",
      key: "b",
    });
    assert.equal(bell.code, "text_invalid");
    const tooLong = await aliceWs.request({
      type: "send",
      group: group.id,
      text: "😀".repeat(2_001),
      key: "c",
    });
    assert.equal(tooLong.code, "text_invalid");
    // The limit counts code points: 2,000 emoji (4,000 UTF-16 units, 8,000 bytes) are fine.
    const longest = await aliceWs.request({
      type: "send",
      group: group.id,
      text: "😀".repeat(2_000),
      key: "d",
    });
    assert.equal(longest.type, "ack");
  });

  test("a failure inside the gateway is error internal with the ref; the socket goes on", async () => {
    const { group, aliceWs, bobWs } = await room();
    const { rooms } = t.gateway.realtime;
    // A bug below the edge, as no client can cause one: the room layer throws.
    rooms.send = () => {
      throw new Error("a bug in the room layer (test fault)");
    };
    try {
      const reply = await aliceWs.request({ type: "send", group: group.id, text: "hi", key: "k" });
      assert.deepEqual({ type: reply.type, code: reply.code }, { type: "error", code: "internal" });
      assert.doesNotMatch(String(reply.message), /test fault/, "no internals leak to the client");
    } finally {
      delete (rooms as Partial<typeof rooms>).send;
    }
    const ack = await aliceWs.request({ type: "send", group: group.id, text: "ok", key: "k2" });
    assert.equal(ack.type, "ack");
    await bobWs.next((f) => f.type === "message" && f.id === ack.id);
  });

  test("a group id in capitals names the same group", async () => {
    const { group, aliceWs, bobWs } = await room();
    const ack = await aliceWs.request({
      type: "send",
      group: group.id.toUpperCase(),
      text: "loud",
      key: "k",
    });
    assert.equal(ack.type, "ack");
    assert.equal((await bobWs.next("message")).group, group.id);
  });

  test("heartbeat is answered with heartbeat_ack carrying the ref and the server time", async () => {
    const { alice } = await chatCast(t);
    const { client } = await WsClient.open(t, alice.token);
    clients.push(client);
    const reply = await client.request({ type: "heartbeat" });
    assert.equal(reply.type, "heartbeat_ack");
    assert.equal(reply.ts, t.clock.nowMs);
    client.send({ type: "heartbeat" });
    const plain = await client.next("heartbeat_ack");
    assert.equal(plain.ref, undefined);
  });

  test("malformed frames get invalid_frame (with the ref when there was one); the socket goes on", async () => {
    const { group, aliceWs } = await room();
    aliceWs.sendRaw("{not json");
    assert.deepEqual(await aliceWs.next("error"), {
      type: "error",
      code: "invalid_frame",
      message: "not JSON",
    });
    const unknown = await aliceWs.request({ type: "dance" });
    assert.equal(unknown.type, "error");
    assert.equal(unknown.code, "invalid_frame");
    const wrong = await aliceWs.request({ type: "send", group: group.id, text: 5, key: "k" });
    assert.equal(wrong.code, "invalid_frame");
    assert.match(String(wrong.message), /text/);

    aliceWs.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    const binary = await aliceWs.next("error");
    assert.equal(binary.code, "invalid_frame");
    assert.equal(binary.ref, undefined);

    const ack = await aliceWs.request({
      type: "send",
      group: group.id,
      text: "still here",
      key: "z",
    });
    assert.equal(ack.type, "ack");
  });

  test("a frame over 16 KiB closes the socket with 1009; the room goes on for the others", async () => {
    const { group, aliceWs, bobWs } = await room();
    aliceWs.sendRaw(JSON.stringify({ type: "heartbeat", pad: "x".repeat(16_400) }));
    assert.equal((await aliceWs.closed).code, 1009);
    const ack = await bobWs.request({ type: "send", group: group.id, text: "fine", key: "k" });
    assert.equal(ack.type, "ack");
  });

  test("the sender gets its copy, then the ack; a close in the same turn still sends both first", async () => {
    const { group, aliceWs, bobWs } = await room();
    const chatAfter = (from: number) =>
      aliceWs.received
        .slice(from)
        .filter((frame) => frame.type === "message" || frame.type === "ack")
        .map((frame) => (frame.type === "ack" ? `ack:${frame.ref}` : `message:${frame.key}`));
    // The ack waits for the end of the server's turn; it still follows the sender's copy.
    let from = aliceWs.received.length;
    const ack = await aliceWs.request({ type: "send", group: group.id, text: "one", key: "k-one" });
    assert.deepEqual(chatAfter(from), ["message:k-one", `ack:${ack.ref}`]);
    // A send and a frame that closes the socket (over 16 KiB), read in one turn: the close must
    // not swallow the ack that was waiting for the end of it.
    from = aliceWs.received.length;
    const send = { type: "send", group: group.id, text: "two", key: "k-two", ref: "s2" };
    const oversize = { type: "heartbeat", pad: "x".repeat(16_400) };
    aliceWs.sendTogether([JSON.stringify(send), JSON.stringify(oversize)]);
    assert.equal((await aliceWs.closed).code, 1009);
    assert.deepEqual(chatAfter(from), ["message:k-two", "ack:s2"]);
    const seen = await bobWs.next((frame) => frame.type === "message" && frame.key === "k-two");
    assert.equal(seen.text, "two");
  });

  test("a frame of exactly 16 KiB is read (and answered as the frame it is)", async () => {
    const { aliceWs } = await room();
    const base = JSON.stringify({ type: "heartbeat", ref: "big", pad: "" });
    aliceWs.sendRaw(
      JSON.stringify({ type: "heartbeat", ref: "big", pad: "x".repeat(16_384 - base.length) }),
    );
    const reply = await aliceWs.next((f) => f.ref === "big");
    assert.equal(reply.code, "invalid_frame", "unknown field pad");
    assert.equal(aliceWs.isClosed, false);
  });
});
