import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Rooms } from "./rooms.ts";
import { RecordingPort } from "./testing/recording-port.ts";
import {
  ALICE,
  BOB,
  checkAfterEachTest,
  codeOf,
  GROUP,
  OTHER_GROUP,
  setup,
} from "./testing/room-fixture.ts";

checkAfterEachTest();

const LINGER_MS = 120_000;

describe("linger", () => {
  test("an empty room lingers, then stops; the next join starts a new epoch at seq 1", async () => {
    const { connect, clock, rooms, events } = setup();
    const alice = connect(ALICE);
    const first = await alice.join();
    assert.ok(first.ok);
    await alice.send("one");
    await alice.send("two");
    await alice.leave();

    await clock.advance(LINGER_MS - 1);
    assert.equal(rooms.count, 1);
    const back = await alice.join();
    assert.ok(back.ok);
    assert.equal(back.state.epoch, first.state.epoch, "a join during the linger finds the room");
    assert.deepEqual(
      back.state.messages.map((message) => message.text),
      ["one", "two"],
    );
    await clock.advance(LINGER_MS);
    assert.equal(rooms.count, 1, "the join cancelled the linger");

    await alice.disconnect(false);
    await clock.advance(5_000 + LINGER_MS - 1);
    assert.equal(rooms.count, 1, "the grace, then the linger");
    await clock.advance(1);
    assert.equal(rooms.count, 0);
    assert.deepEqual(rooms.presentIn(GROUP), []);
    assert.deepEqual(events.at(-1), {
      type: "room_stopped",
      groupId: GROUP,
      reason: { kind: "normal", detail: "lingered out" },
    });

    const again = connect(ALICE);
    const fresh = await again.join();
    assert.ok(fresh.ok);
    assert.notEqual(fresh.state.epoch, first.state.epoch);
    assert.deepEqual(fresh.state.messages, []);
    const sent = await again.send("three");
    assert.equal(sent.ok && sent.seq, 1);
  });

  test("a join that reaches a room as it stops gets a new room, not an error", async () => {
    const { connect, rooms } = setup();
    const alice = connect(ALICE);
    const first = await alice.join();
    assert.ok(first.ok);
    const closing = rooms.close(GROUP, { reason: "group deleted" });
    const joining = connect(BOB).join();
    assert.deepEqual(await closing, { ok: true, connIds: [alice.connId] });
    const joined = await joining;
    assert.ok(joined.ok);
    assert.notEqual(joined.state.epoch, first.state.epoch);
    assert.equal(rooms.count, 1);
  });
});

describe("close", () => {
  test("takes everyone out without a word and forgets the room", async () => {
    const { connect, rooms, port } = setup();
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    await alice.send("hello");
    bob.frames();

    const closed = await rooms.close(GROUP, { reason: "group deleted" });
    assert.deepEqual(closed, { ok: true, connIds: [alice.connId, bob.connId] });
    assert.deepEqual(bob.frames(), [], "group_deleted is the caller's to send");
    assert.equal(port.isSubscribed(bob.connId, GROUP), false);
    assert.equal(rooms.count, 0);
    assert.equal(codeOf(await bob.send("anyone?")), "not_joined");
    assert.deepEqual(await rooms.close(GROUP, { reason: "again" }), { ok: true, connIds: [] });
  });
});

describe("Rooms", () => {
  test("count and presentIn follow the rooms", async () => {
    const { connect, rooms } = setup();
    assert.equal(rooms.count, 0);
    assert.deepEqual(rooms.presentIn(GROUP), []);
    await connect(ALICE).join();
    await connect(BOB).join({}, OTHER_GROUP);
    assert.equal(rooms.count, 2);
    assert.deepEqual(rooms.presentIn(GROUP), [ALICE.id]);
    assert.deepEqual(rooms.presentIn(OTHER_GROUP), [BOB.id]);
  });

  test("calls to a group without a room start nothing", async () => {
    const { connect, rooms } = setup();
    const alice = connect(ALICE);
    assert.equal(codeOf(await alice.send("hi")), "not_joined");
    assert.deepEqual(await rooms.setMuted(GROUP, { userId: ALICE.id, isMuted: true }), {
      ok: true,
    });
    assert.deepEqual(await rooms.kick(GROUP, { userId: ALICE.id }), { ok: true, connIds: [] });
    await alice.disconnect(false);
    await alice.setIdle(true);
    assert.equal(rooms.count, 0);
  });

  test("past maxRooms a join answers room_unavailable", async () => {
    const { connect } = setup({ maxRooms: 1 });
    assert.equal((await connect(ALICE).join()).ok, true);
    const refused = await connect(BOB).join({}, OTHER_GROUP);
    assert.deepEqual(refused, {
      ok: false,
      code: "room_unavailable",
      message: `no room for group ${OTHER_GROUP}: max_children`,
    });
  });

  test("a disconnect is never lost to a full mailbox", async () => {
    const { connect, rooms, clock } = setup({ mailboxCapacity: 1 });
    const alice = connect(ALICE);
    const bob = connect(BOB);
    await alice.join();
    await bob.join();
    bob.frames();
    rooms.setIdle(GROUP, { connId: alice.connId, userId: ALICE.id, isIdle: true });
    await alice.disconnect(true);
    assert.deepEqual(bob.seen(), ["user_idle"]);
    await clock.advance(50);
    assert.deepEqual(bob.seen(), ["user_left"]);
  });

  test("the crash hook exists only when asked for", async () => {
    const rooms = new Rooms(new RecordingPort());
    assert.throws(() => rooms.crash(GROUP), /test hook/);
    await rooms.shutdown();
  });

  test("shutdown stops every room quietly", async () => {
    const { connect, rooms, port } = setup();
    const alice = connect(ALICE);
    await alice.join();
    await connect(BOB).join({}, OTHER_GROUP);
    port.publications.length = 0;
    await rooms.shutdown();
    assert.equal(rooms.count, 0);
    assert.deepEqual(port.publications, []);
    assert.equal(codeOf(await alice.join()), "room_unavailable");
  });
});
