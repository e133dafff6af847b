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
  test("every joined socket gets the message, the sender's own too; the room writes no reply", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    const aliceTab = connect(ALICE);
    const bob = connect(BOB);
    for (const client of [alice, aliceTab, bob]) await client.join();
    for (const client of [alice, aliceTab, bob]) client.frames();

    const result = await alice.send("hi", "k-1");
    assert.ok(result.ok);
    const [message, ...rest] = alice.frames();
    assert.deepEqual(rest, [], "the ack (or error) is the caller's to write");
    assert.equal(message?.type, "message");
    assert.deepEqual(
      message.type === "message" && { id: message.id, ts: message.ts, seq: message.seq },
      { id: result.id, ts: result.ts, seq: result.seq },
    );
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
      alice.send("second", "ka"),
    ]);
    assert.ok(fromBob.ok && fromAlice.ok);
    const frames = alice.frames();
    assert.deepEqual(
      frames.map((frame) => (frame.type === "message" ? `message:${frame.seq}` : frame.type)),
      ["message:1", "message:2"],
    );
  });

  test("a retry by key gets the first answer again, and no second message", async () => {
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
    const retry = await alice.send("once", "k-1");
    assert.deepEqual(retry, first);
    assert.deepEqual(alice.frames(), []);
    assert.deepEqual(bob.seen(), ["message"]);
  });

  test("a refused send writes nothing: the caller sends the error", async () => {
    const { connect } = setup();
    const alice = connect(ALICE);
    await alice.join();
    alice.frames();
    const refused = await alice.send("   ", "k-1");
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
