import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MessageFrame } from "@clofri/protocol";
import {
  ALICE,
  BOB,
  checkAfterEachTest,
  GROUP,
  OTHER_GROUP,
  setup,
} from "./testing/room-fixture.ts";

checkAfterEachTest();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("send: what each socket sees", () => {
  test("the sender sees its message then the ack; its other tabs and the others only the message", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    const aliceTab = connect(ALICE);
    const bob = connect(BOB);
    for (const client of [alice, aliceTab, bob]) await client.join();
    for (const client of [alice, aliceTab, bob]) client.frames();

    const result = await alice.send("hi", "k-1", GROUP, "r-7");
    assert.ok(result.ok);
    const [message, ack, ...rest] = alice.frames();
    assert.deepEqual(rest, []);
    assert.equal(message?.type, "message");
    assert.deepEqual(ack, { type: "ack", ref: "r-7", id: result.id, ts: result.ts });
    assert.deepEqual(aliceTab.frames(), [message], "the sender's other tab gets the message");
    assert.deepEqual(bob.frames(), [message]);
  });

  test("the sender's copy comes after a message the room published before it", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    alice.frames();
    // Queued together: the room handles Bob's first.
    const [fromBob, fromAlice] = await Promise.all([
      bob.send("first", "kb"),
      alice.send("second", "ka", GROUP, "r-1"),
    ]);
    assert.ok(fromBob.ok && fromAlice.ok);
    const frames = alice.frames();
    assert.deepEqual(
      frames.map((frame) => (frame.type === "message" ? `message:${frame.seq}` : frame.type)),
      ["message:1", "message:2", "ack"],
    );
  });

  test("without a ref there is no ack; a retry by key gets the first ack again, no message", async () => {
    const { connect, clock } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    alice.frames();
    bob.frames();

    const first = await alice.send("once", "k-1");
    assert.ok(first.ok);
    assert.deepEqual(alice.seen(), ["message"]);
    await clock.advance(500);
    const retry = await alice.send("once", "k-1", GROUP, "r-2");
    assert.deepEqual(retry, first);
    assert.deepEqual(alice.frames(), [{ type: "ack", ref: "r-2", id: first.id, ts: first.ts }]);
    assert.deepEqual(bob.seen(), ["message"]);
  });

  test("a refused send writes nothing: the caller sends the error", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    await alice.join();
    alice.frames();
    const refused = await alice.send("   ", "k-1", GROUP, "r-3");
    assert.equal(refused.ok, false);
    assert.deepEqual(alice.frames(), []);
  });
});

describe("send: message ids", () => {
  test("are distinct lowercase uuids, within a room and across rooms", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    await alice.join();
    await alice.join({}, OTHER_GROUP);
    alice.frames();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      for (const group of [GROUP, OTHER_GROUP]) {
        const result = await alice.send(`m${i}`, `k-${i}`, group);
        assert.ok(result.ok);
        ids.push(result.id);
      }
    }
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, ids.length);
    const messages = alice.frames().filter((frame) => frame.type === "message") as MessageFrame[];
    assert.deepEqual(
      messages.map((message) => message.id),
      ids,
    );
  });

  test("differ after the room is created anew (a new epoch)", async () => {
    const { connect, clock } = setup({ roomLingerMs: 1_000 });
    const alice = connect(ALICE);
    await alice.join();
    const before = await alice.send("first life", "k-1");
    await alice.leave();
    await clock.advance(1_000);
    const joined = await alice.join();
    assert.ok(joined.ok);
    const after = await alice.send("second life", "k-1");
    assert.ok(before.ok && after.ok);
    assert.equal(after.seq, 1, "a new room");
    assert.notEqual(after.id, before.id);
  });
});
