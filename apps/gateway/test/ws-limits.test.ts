import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { onlyOnOneGateway } from "./pair-harness.ts";
import { LOUD, RELAXED } from "./social-harness.ts";
import { chatCast, eventually, type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

const SHARED_OUT = onlyOnOneGateway(
  "a cluster shares a person's budget out among the gateways they are on, so a tab on another gateway has its share (cluster-people.test.ts tests the sum)",
);

const [engine] = testEngines();

// The harness clock stands still unless a test moves it: budgets do not refill by themselves,
// and time-driven checks run when the test calls `realtime.sweep()` after moving it.

describe("limits of the WebSocket edge", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway({ engine, env: RELAXED, clients }, (started) => {
    t = started;
  });

  async function inRoom() {
    const cast = await chatCast(t);
    const alice = await joined(t, cast.alice, cast.group.id);
    clients.push(alice.client);
    return { ...cast, aliceWs: alice.client };
  }

  function send(ws: WsClient, group: string, n: number) {
    return ws.request({ type: "send", group, text: `m${n}`, key: `k${n}` });
  }

  test("past the burst, send is rate_limited with retryAfterMs; the budget is the person's, not the tab's", {
    skip: SHARED_OUT,
  }, async () => {
    const { alice, group, aliceWs } = await inRoom();
    for (let i = 1; i <= 5; i++) assert.equal((await send(aliceWs, group.id, i)).type, "ack");
    const refused = await send(aliceWs, group.id, 6);
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "rate_limited");
    assert.equal(refused.retryAfterMs, 200, "one token of 5 per second");

    // A second tab (a reconnect, too) finds the budget spent.
    const tab = await joined(t, alice, group.id);
    clients.push(tab.client);
    assert.equal((await send(tab.client, group.id, 7)).code, "rate_limited");

    // Typing and heartbeats have a budget of their own.
    assert.equal((await aliceWs.request({ type: "typing_start", group: group.id })).type, "ack");
    assert.equal((await aliceWs.request({ type: "heartbeat" })).type, "heartbeat_ack");

    t.clock.nowMs += 1_000;
    assert.equal((await send(aliceWs, group.id, 8)).type, "ack", "refilled after a second");
  });

  test("30 per minute: five a second for ten seconds gets about 30 + 0.5/s through", async () => {
    const { group, aliceWs } = await inRoom();
    let acked = 0;
    const refusals: number[] = [];
    for (let second = 0, n = 0; second < 10; second++) {
      for (let i = 0; i < 5; i++) {
        const reply = await send(aliceWs, group.id, n++);
        if (reply.type === "ack") acked++;
        else refusals.push(reply.retryAfterMs as number);
      }
      t.clock.nowMs += 1_000;
    }
    assert.ok(acked >= 33 && acked <= 35, `acked ${acked}`);
    assert.ok(
      refusals.every((ms) => ms > 0 && ms <= 2_000),
      `retryAfterMs ${refusals}`,
    );
    t.clock.nowMs += 60_000;
  });

  test("sustained abuse far past the limit closes the socket with 4008", async () => {
    const { group, aliceWs } = await inRoom();
    for (let i = 0; i < 400; i++) {
      aliceWs.send({ type: "send", group: group.id, text: "spam", key: `s${i}` });
    }
    const closed = await aliceWs.closed;
    assert.equal(closed.code, 4008);
    const errors = aliceWs.all("error");
    assert.ok(errors.length >= 290, `rate_limited errors before the close: ${errors.length}`);
    assert.ok(errors.every((e) => e.code === "rate_limited" && typeof e.retryAfterMs === "number"));
    t.clock.nowMs += 60_000;
  });

  test("no frame for heartbeatTimeoutMs closes with 4000; a socket that sends heartbeats stays", async () => {
    const { alice, bob } = await chatCast(t);
    const silent = (await WsClient.open(t, alice.token)).client;
    const chatty = (await WsClient.open(t, bob.token)).client;
    clients.push(silent, chatty);
    t.clock.nowMs += 100_000;
    await chatty.request({ type: "heartbeat" });
    t.clock.nowMs += 20_000;
    t.gateway.realtime.sweep();
    assert.equal((await silent.closed).code, 4000);
    assert.equal(chatty.isClosed, false);
    assert.equal((await chatty.request({ type: "heartbeat" })).type, "heartbeat_ack");
  });

  test("idle after idleAfterMs without activity, active again on a send; heartbeats say idle or not", async () => {
    const { alice, bob, group } = await chatCast(t);
    const a = await joined(t, alice, group.id);
    const b = await joined(t, bob, group.id);
    clients.push(a.client, b.client);
    const isAbout = (type: string, userId: string) => (f: { type: string; userId?: unknown }) =>
      f.type === type && f.userId === userId;

    t.clock.nowMs += 30_000;
    await b.client.request({ type: "typing_start", group: group.id });
    t.clock.nowMs += 30_000;
    t.gateway.realtime.sweep();
    assert.deepEqual(await b.client.next(isAbout("user_idle", alice.id)), {
      type: "user_idle",
      group: group.id,
      userId: alice.id,
    });
    await a.client.request({ type: "send", group: group.id, text: "back", key: "b" });
    await b.client.next(isAbout("user_active", alice.id));

    await a.client.request({ type: "heartbeat", idle: true });
    await b.client.next(isAbout("user_idle", alice.id));
    await a.client.request({ type: "heartbeat", idle: false });
    await b.client.next(isAbout("user_active", alice.id));
    assert.equal(
      b.client.all("user_idle").filter((f) => f.userId === bob.id).length,
      0,
      "Bob typed 30 s before the sweep: still active",
    );
  });
});

describe("a client that does not read", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: {
        ...LOUD,
        RING_MAX_MESSAGES: "400",
        MAX_BACKPRESSURE_BYTES: "65536",
      },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  test("is disconnected with 4009 once its unread output passes the bound", async () => {
    const { alice, bob, group } = await chatCast(t);
    const writer = await joined(t, alice, group.id);
    clients.push(writer.client);
    const text = "y".repeat(2_000);
    for (let i = 0; i < 400; i++) {
      writer.client.send({ type: "send", group: group.id, text, key: `k${i}` });
    }
    await writer.client.next((f) => f.type === "message" && f.seq === 400, 10_000);

    // Every join answers with ~800 KB of group_state that Bob never reads.
    const { client: reader } = await WsClient.open(t, bob.token);
    clients.push(reader);
    reader.pause();
    for (let i = 0; i < 25; i++) reader.send({ type: "join", group: group.id });
    await eventually(
      () => t.gateway.realtime.connectionsOf(bob.id) === 0,
      "Bob is cut off",
      10_000,
    );
    reader.resume();
    assert.equal((await reader.closed).code, 4009);
    const ack = await writer.client.request({
      type: "send",
      group: group.id,
      text: "others go on",
      key: "after",
    });
    assert.equal(ack.type, "ack");
  });
});

describe("the control-frame budget is configurable", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: {
        ...RELAXED,
        CONTROL_FRAME_BURST: "4",
        CONTROL_FRAMES_PER_SECOND: "2",
      },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  test("CONTROL_FRAME_BURST and CONTROL_FRAMES_PER_SECOND bound heartbeats, join and typing", async () => {
    const { alice } = await chatCast(t);
    // WsClient.open spends one heartbeat confirming the socket.
    const { client } = await WsClient.open(t, alice.token);
    clients.push(client);
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.request({ type: "heartbeat" })).type, "heartbeat_ack");
    }
    const refused = await client.request({ type: "heartbeat" });
    assert.equal(refused.code, "rate_limited");
    assert.equal(refused.retryAfterMs, 500, "one token every half second");

    t.clock.nowMs += 500;
    assert.equal((await client.request({ type: "heartbeat" })).type, "heartbeat_ack");
    assert.equal((await client.request({ type: "heartbeat" })).code, "rate_limited");
    t.clock.nowMs += 60_000;
  });

  test("the budget is the person's: another tab finds it spent", { skip: SHARED_OUT }, async () => {
    const { alice } = await chatCast(t);
    const first = (await WsClient.open(t, alice.token)).client;
    const second = (await WsClient.open(t, alice.token)).client;
    clients.push(first, second);
    // Opening spent two heartbeats: two left of the burst of four.
    for (let i = 0; i < 2; i++) {
      assert.equal((await first.request({ type: "heartbeat" })).type, "heartbeat_ack");
    }
    assert.equal((await second.request({ type: "heartbeat" })).code, "rate_limited");
    t.clock.nowMs += 60_000;
  });

  for (const [kind, refusedFrame] of [
    ["malformed", (ref: string) => `{"type":"join","group":42,"ref":"${ref}"}`],
    ["for a room not joined", (ref: string) => sendTo(NOT_JOINED_GROUP, ref)],
  ] as const) {
    test(`frames ${kind} spend the budget too`, async () => {
      const { alice } = await chatCast(t);
      const { client } = await WsClient.open(t, alice.token);
      clients.push(client);
      const replies: Frame[] = [];
      for (let i = 0; i < 4; i++) {
        const ref = `${kind}-${i}`;
        client.sendRaw(refusedFrame(ref));
        replies.push(await client.next((f) => f.ref === ref));
      }
      const codes = replies.map((reply) => reply.code);
      const answer = kind === "malformed" ? "invalid_frame" : "not_joined";
      assert.deepEqual(codes, [answer, answer, answer, "rate_limited"]);
      t.clock.nowMs += 60_000;
    });
  }

  test("binary frames spend the budget too", async () => {
    const { alice } = await chatCast(t);
    const { client } = await WsClient.open(t, alice.token);
    clients.push(client);
    // Opening spent one heartbeat: three left of the burst of four.
    for (let i = 0; i < 4; i++) client.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    await client.until(() => client.count("error") === 4, "four answers");
    const codes = client.all("error").map((reply) => reply.code);
    assert.deepEqual(codes, ["invalid_frame", "invalid_frame", "invalid_frame", "rate_limited"]);
    t.clock.nowMs += 60_000;
  });

  test("a flood of malformed frames is abuse: the socket closes with 4008, others go on", async () => {
    const { alice, bob } = await chatCast(t);
    const flooder = (await WsClient.open(t, alice.token)).client;
    const bystander = (await WsClient.open(t, bob.token)).client;
    clients.push(flooder, bystander);
    const junk = `{"type":"${"x".repeat(16_000)}"}`;
    for (let i = 0; i < 400; i++) flooder.sendRaw(junk);
    assert.equal((await flooder.closed).code, CLOSE_CODES.policyViolation);
    assert.equal((await bystander.request({ type: "heartbeat" })).type, "heartbeat_ack");
    t.clock.nowMs += 60_000;
  });
});

const NOT_JOINED_GROUP = "00000000-0000-4000-8000-000000000000";

function sendTo(group: string, ref: string): string {
  return JSON.stringify({ type: "send", group, text: "hi", key: ref, ref });
}
