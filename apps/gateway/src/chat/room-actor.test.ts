import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MessageFrame } from "@clofri/protocol";
import {
  ALICE,
  BOB,
  CAROL,
  checkAfterEachTest,
  codeOf,
  GROUP,
  groupState,
  setup,
} from "./testing/room-fixture.ts";

checkAfterEachTest();

describe("join", () => {
  test("the joiner gets group_state with its ref; the group sees user_joined", async () => {
    const { connect, port } = setup();
    const bob = connect(BOB);
    await bob.join();
    bob.frames();
    const watcher = connect(CAROL);
    const alice = connect(ALICE);

    const result = await alice.join({ ref: "r1" });
    assert.ok(result.ok);
    const state = groupState(alice.frames().filter((frame) => frame.type === "group_state"));
    assert.deepEqual(state, {
      type: "group_state",
      ref: "r1",
      group: GROUP,
      epoch: result.state.epoch,
      members: [
        {
          userId: BOB.id,
          displayName: "Bob",
          avatarUrl: BOB.avatarUrl,
          status: "active",
          typing: false,
          readSeq: null,
        },
        {
          userId: ALICE.id,
          displayName: "Alice",
          avatarUrl: null,
          status: "active",
          typing: false,
          readSeq: null,
        },
      ],
      messages: [],
      expired: 0,
      retention: { maxMessages: 50, maxAgeMs: 86_400_000 },
    });
    const joined = { type: "user_joined", group: GROUP, userId: ALICE.id, displayName: "Alice" };
    assert.deepEqual(bob.frames(), [joined]);
    assert.deepEqual(watcher.frames(), [joined], "online members who did not join see it too");
    assert.equal(port.isSubscribed(alice.connId, GROUP), true);
    assert.equal(port.isSubscribed(watcher.connId, GROUP), false);
    assert.deepEqual(port.invalid, []);
  });

  test("group_state comes before any message sent after the join", async () => {
    const { connect } = setup();
    const bob = connect(BOB);
    await bob.join();
    const alice = connect(ALICE);
    // Both queued before the room handles either: the frames must still arrive in order.
    const [joined, sent] = await Promise.all([alice.join(), bob.send("hi")]);
    assert.ok(joined.ok && sent.ok);
    assert.deepEqual(alice.seen(), ["group_state", "user_joined", "message"]);
  });
});

describe("send", () => {
  test("messages get contiguous seqs, server ids and times, and reach everyone joined", async () => {
    const { connect, clock } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    const carol = connect(CAROL);
    await alice.join();
    await bob.join();
    for (const client of [alice, bob, carol]) client.frames();

    const acks = [];
    for (const text of ["one", "  two\r\n", "three"]) {
      acks.push(await alice.send(text));
      await clock.advance(10);
    }
    assert.deepEqual(
      acks.map((ack) => ack.ok && ack.seq),
      [1, 2, 3],
    );
    const received = bob.frames() as MessageFrame[];
    assert.deepEqual(alice.frames(), received, "the sender gets its own messages too");
    assert.deepEqual(carol.frames(), [], "not joined: no messages");
    assert.deepEqual(
      received.map(({ seq, text, userId, displayName }) => ({ seq, text, userId, displayName })),
      [
        { seq: 1, text: "one", userId: ALICE.id, displayName: "Alice" },
        { seq: 2, text: "two", userId: ALICE.id, displayName: "Alice" },
        { seq: 3, text: "three", userId: ALICE.id, displayName: "Alice" },
      ],
    );
    const [first] = received;
    const [firstAck] = acks;
    assert.ok(first && firstAck?.ok);
    assert.deepEqual(
      { id: first.id, ts: first.ts, seq: first.seq },
      { id: firstAck.id, ts: firstAck.ts, seq: firstAck.seq },
    );
    assert.equal(first.group, GROUP);
    assert.equal(first.key, "key-1");
    assert.equal(first.ts, 1_763_800_000_000);
  });

  test("a retry with the same key gets the first ack again and is not broadcast twice", async () => {
    const { connect, port, clock } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    bob.frames();

    const first = await alice.send("anyone up?", "k-42");
    await clock.advance(1_000);
    const retry = await alice.send("anyone up?", "k-42");
    assert.ok(first.ok);
    assert.deepEqual(retry, first);
    assert.equal(port.published("message").length, 1);
    assert.deepEqual(bob.seen(), ["message"]);

    const otherUser = await bob.send("same key, other user", "k-42");
    assert.ok(otherUser.ok);
    assert.notEqual(otherUser.id, first.id, "keys are per user");
  });

  test("a key is remembered exactly as long as its message is retained", async () => {
    const { connect, port } = setup({ maxMessages: 3 });
    const alice = connect(ALICE);
    await alice.join();
    const first = await alice.send("first", "k-1");
    assert.deepEqual(await alice.send("first", "k-1"), first, "retained: deduplicated");
    for (let i = 0; i < 3; i++) await alice.send(`filler ${i}`);
    const again = await alice.send("first", "k-1");
    assert.ok(again.ok && first.ok);
    assert.equal(again.seq, 5, "evicted: a new message");
    assert.equal(port.published("message").length, 5);
  });

  test("refusals: not joined, and text that breaks the rules", async () => {
    const { connect, port } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    assert.equal(codeOf(await alice.send("before any room")), "not_joined");
    await alice.join();
    assert.deepEqual(await bob.send("hi"), {
      ok: false,
      code: "not_joined",
      message: `this connection has not joined group ${GROUP}`,
    });
    assert.equal(codeOf(await bob.typingStart()), "not_joined");
    assert.equal(codeOf(await bob.leave()), "not_joined");

    const blank = await alice.send("   \n ");
    assert.deepEqual(blank, { ok: false, code: "text_invalid", message: "text is empty" });
    const long = await alice.send("x".repeat(2_001));
    assert.equal(codeOf(long), "text_invalid");
    const control = await alice.send("bell\u0007");
    assert.equal(codeOf(control), "text_invalid");
    assert.equal(port.published("message").length, 0);
    assert.equal((await alice.send("fine")).ok, true);
  });
});

describe("resume", () => {
  async function roomWith60Messages() {
    const fixture = setup();
    const alice = fixture.connect(ALICE);
    await alice.join();
    for (let i = 1; i <= 60; i++) await alice.send(`m${i}`);
    const bob = fixture.connect(BOB);
    const joined = await bob.join();
    assert.ok(joined.ok);
    bob.frames();
    return { ...fixture, bob, epoch: joined.state.epoch };
  }

  test("60 sent with a cap of 50: resuming after seq 5 gets 11..60 and expired 5 (6..10)", async () => {
    const { bob, epoch } = await roomWith60Messages();
    const state = groupState(await bob.joinAndLook({ epoch, afterSeq: 5 }));
    assert.deepEqual(
      state.messages.map((message) => message.seq),
      Array.from({ length: 50 }, (_, i) => i + 11),
    );
    assert.equal(state.expired, 5);
  });

  test("after seq 57: only 58..60, nothing expired; after the newest: nothing", async () => {
    const { bob, epoch } = await roomWith60Messages();
    let state = groupState(await bob.joinAndLook({ epoch, afterSeq: 57 }));
    assert.deepEqual(
      state.messages.map((message) => message.text),
      ["m58", "m59", "m60"],
    );
    assert.equal(state.expired, 0);
    state = groupState(await bob.joinAndLook({ epoch, afterSeq: 60 }));
    assert.deepEqual([state.messages.length, state.expired], [0, 0]);
  });

  test("another epoch: every retained message and expired 0", async () => {
    const { bob } = await roomWith60Messages();
    const state = groupState(await bob.joinAndLook({ epoch: "an-old-epoch", afterSeq: 5 }));
    assert.equal(state.messages.length, 50);
    assert.equal(state.expired, 0);
  });

  test("messages past 24 h are gone and counted as expired", async () => {
    const { bob, epoch, clock } = await roomWith60Messages();
    await clock.advance(86_400_001);
    const state = groupState(await bob.joinAndLook({ epoch, afterSeq: 58 }));
    assert.deepEqual([state.messages.length, state.expired], [0, 2]);
    const fresh = groupState(await bob.joinAndLook());
    assert.deepEqual(fresh.messages, [], "none older than 24 h");
  });
});
