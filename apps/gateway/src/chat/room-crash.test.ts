import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { settle } from "@clofri/actors/testing";
import type { GroupStateFrame } from "@clofri/protocol";
import { RecordingPort } from "./testing/recording-port.ts";
import {
  ALICE,
  BOB,
  CAROL,
  checkAfterEachTest,
  codeOf,
  GROUP,
  OTHER_GROUP,
  setup,
} from "./testing/room-fixture.ts";

checkAfterEachTest();

/** An edge with a bug: while broken, a room publish throws. */
class FaultyPort extends RecordingPort {
  isBroken = false;

  override publishRoom(groupId: string, text: string): void {
    if (this.isBroken) {
      this.isBroken = false;
      throw new Error("publish failed");
    }
    super.publishRoom(groupId, text);
  }
}

describe("crash safety", () => {
  test("a send to a room wedged in a handler gets room_unavailable after the call timeout, not silence", async () => {
    const { connect, rooms, clock } = setup({ callTimeoutMs: 2_000 });
    const alice = connect(ALICE);
    const carol = connect(CAROL);
    await alice.join();
    await carol.join({}, OTHER_GROUP);
    assert.equal(rooms.stall(GROUP), true);
    await settle();
    const answered = { isAnswered: false };
    const sending = alice.send("anyone?");
    void sending.then(() => {
      answered.isAnswered = true;
    });
    await clock.advance(1_999);
    assert.equal(answered.isAnswered, false);
    await clock.advance(1);
    const result = await sending;
    assert.equal(codeOf(result), "room_unavailable");
    assert.match(result.ok ? "" : result.message, /did not answer in time/);
    assert.equal((await carol.send("unaffected", "k", OTHER_GROUP)).ok, true, "other rooms go on");
  });

  test("a crash restarts only that room: the joined get a fresh group_state, same epoch and messages", async () => {
    const { connect, rooms, events, clock } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    const carol = connect(CAROL);
    const joined = await alice.join();
    assert.ok(joined.ok);
    await bob.join();
    await carol.join({}, OTHER_GROUP);
    await alice.send("one");
    await alice.send("two");
    await bob.typingStart();
    for (const client of [alice, bob, carol]) client.frames();

    assert.equal(rooms.crash(GROUP), true);
    await settle();

    const [state] = alice.frames() as GroupStateFrame[];
    assert.ok(state);
    assert.deepEqual(bob.frames(), [state], "everyone joined gets the same fresh state");
    assert.equal(state.ref, undefined);
    assert.equal(state.epoch, joined.state.epoch);
    assert.deepEqual(
      state.messages.map(({ seq, text }) => ({ seq, text })),
      [
        { seq: 1, text: "one" },
        { seq: 2, text: "two" },
      ],
    );
    assert.deepEqual(
      state.members.map(({ userId, typing }) => ({ userId, typing })),
      [
        { userId: ALICE.id, typing: false },
        { userId: BOB.id, typing: false },
      ],
      "typing is cleared",
    );
    assert.deepEqual(carol.frames(), [], "the other room did not notice");
    assert.deepEqual(
      events.filter((event) => event.groupId === GROUP).map((event) => event.type),
      ["room_started", "room_crashed", "room_restarted"],
    );

    const sent = await bob.send("three");
    assert.equal(sent.ok && sent.seq, 3, "seq goes on from where it was");
    await clock.advance(10_000);
    assert.deepEqual(bob.seen(), ["message"], "no typing expiry from the lost incarnation");
    assert.equal((await carol.send("unaffected", "k", OTHER_GROUP)).ok, true);
  });

  test("a user in their grace when the room crashed still leaves when the grace ends", async () => {
    const { connect, rooms, clock } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    await alice.disconnect(false);
    await clock.advance(2_000);
    rooms.crash(GROUP);
    await settle();
    bob.frames();

    await clock.advance(2_999);
    assert.deepEqual(bob.frames(), []);
    await clock.advance(1);
    assert.deepEqual(bob.frames(), [{ type: "user_left", group: GROUP, userId: ALICE.id }]);
  });

  test("messages queued behind a crash go to the new incarnation", async () => {
    const { connect, rooms } = setup();
    const alice = connect(ALICE);
    await alice.join();
    rooms.crash(GROUP);
    const queued = await alice.send("behind the crash");
    assert.equal(queued.ok && queued.seq, 1);
  });

  test("a call whose handling crashes answers room_unavailable; what was committed stays", async () => {
    const port = new FaultyPort();
    const { connect, rooms } = setup({ port });
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    bob.frames();

    port.isBroken = true;
    const failed = await alice.send("into a broken edge", "k-1");
    assert.deepEqual(failed, {
      ok: false,
      code: "room_unavailable",
      message: `the room of group ${GROUP} failed on this request and is restarting; join again`,
    });
    await settle();
    // The message was committed before the edge failed: the fresh state shows it, and the
    // retry gets its ack instead of a second message with the same seq.
    const [state] = bob.frames() as GroupStateFrame[];
    assert.deepEqual(
      state?.messages.map(({ seq, text }) => ({ seq, text })),
      [{ seq: 1, text: "into a broken edge" }],
    );
    const retry = await alice.send("into a broken edge", "k-1");
    assert.equal(retry.ok && retry.seq, 1);
    assert.equal(rooms.count, 1);
  });

  test("past its restart budget a room is given up: everyone is let go, later calls find nobody joined", async () => {
    const { connect, rooms, events, port } = setup({ maxRestarts: 2, restartWindowMs: 10_000 });
    const alice = connect(ALICE);
    const bob = connect(BOB);
    const watcher = connect(CAROL);
    const carol = connect(CAROL);
    const joined = await alice.join();
    assert.ok(joined.ok);
    await bob.join();
    await carol.join({}, OTHER_GROUP);
    await alice.send("lost with the room");
    for (const client of [alice, bob, watcher, carol]) client.frames();

    for (let i = 0; i < 3; i++) {
      rooms.crash(GROUP);
      await settle();
    }
    assert.deepEqual(
      events.filter((event) => event.type === "room_gave_up").map((event) => event.groupId),
      [GROUP],
    );
    assert.equal(rooms.count, 1, "only the other room is left");
    assert.deepEqual(rooms.presentIn(GROUP), []);

    const left = [ALICE.id, BOB.id].map((userId) => ({ type: "user_left", group: GROUP, userId }));
    assert.deepEqual(watcher.frames(), left, "the group sees nobody in the room any more");
    const lastFrames = bob.frames();
    assert.deepEqual(lastFrames.at(-1), {
      type: "error",
      code: "room_unavailable",
      message: `the room of group ${GROUP} stopped after repeated failures; join again`,
      group: GROUP,
    });
    assert.equal(port.isSubscribed(bob.connId, GROUP), false);

    // Told once, by the error above; from then on the group has no room, as at the edge.
    assert.equal(codeOf(await bob.send("hello?")), "not_joined");
    assert.equal(codeOf(await bob.typingStart()), "not_joined");
    assert.equal(codeOf(await bob.leave()), "not_joined");
    assert.equal((await carol.send("fine here", "k", OTHER_GROUP)).ok, true);

    const fresh = await bob.join();
    assert.ok(fresh.ok, "a new join starts the room anew");
    assert.notEqual(fresh.state.epoch, joined.state.epoch);
    assert.deepEqual(fresh.state.messages, []);
    assert.equal(codeOf(await alice.send("old connection")), "not_joined");
  });
});
