import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { settle } from "@clofri/actors/testing";
import { RoomSupervisor } from "./room-supervisor.ts";
import { RecordingPort } from "./testing/recording-port.ts";
import {
  ALICE,
  BOB,
  checkAfterEachTest,
  codeOf,
  GROUP,
  OTHER_GROUP,
  setup,
  TestClient,
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
    const closing = rooms.call(GROUP, { type: "close", reason: "group deleted" });
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

    const closed = await rooms.call(GROUP, { type: "close", reason: "group deleted" });
    assert.deepEqual(closed, { ok: true, connIds: [alice.connId, bob.connId] });
    assert.deepEqual(bob.frames(), [], "group_deleted is the caller's to send");
    assert.equal(port.isSubscribed(bob.connId, GROUP), false);
    assert.equal(rooms.count, 0);
    assert.equal(codeOf(await bob.send("anyone?")), "not_joined");
    assert.deepEqual(await rooms.call(GROUP, { type: "close", reason: "again" }), {
      ok: true,
      connIds: [],
    });
  });
});

describe("RoomSupervisor", () => {
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
    assert.deepEqual(
      await rooms.call(GROUP, { type: "set_muted", userId: ALICE.id, isMuted: true }),
      {
        ok: true,
      },
    );
    assert.deepEqual(await rooms.call(GROUP, { type: "kick", userId: ALICE.id }), {
      ok: true,
      connIds: [],
    });
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
    rooms.cast(GROUP, { type: "set_idle", connId: alice.connId, userId: ALICE.id, isIdle: true });
    await alice.disconnect(true);
    assert.deepEqual(bob.seen(), ["user_idle"]);
    await clock.advance(50);
    assert.deepEqual(bob.seen(), ["user_left"]);
  });

  test("the crash hook exists only when asked for", async () => {
    const rooms = new RoomSupervisor(new RecordingPort());
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

describe("hand-over (a room going on in another supervisor)", () => {
  test("the successor has the same epoch, messages, keys and members, and goes on with the seq", async () => {
    const from = setup();
    const alice = from.connect(ALICE);
    const bob = from.connect(BOB);
    const joined = await alice.join();
    assert.ok(joined.ok);
    await bob.join();
    const first = await alice.send("one", "k1");
    await bob.send("two", "k2");
    const snapshot = await from.rooms.handOver(GROUP);
    assert.ok(snapshot);
    assert.equal(from.rooms.count, 0);
    assert.deepEqual(from.rooms.presentIn(GROUP), [], "nothing is left behind");
    assert.equal(from.events.at(-1)?.type, "room_stopped", "stopped, not given up");

    const to = setup({ port: from.port });
    assert.equal(to.rooms.adopt(JSON.parse(JSON.stringify(snapshot))), true);
    await settle();
    const fresh = alice.frames().at(-1);
    assert.equal(fresh?.type, "group_state", "the joined get the room afresh");
    assert.equal(fresh?.type === "group_state" && fresh.epoch, joined.state.epoch);
    const aliceThere = new TestClient(to.rooms, from.port, alice.connId, alice.user);
    const retried = await aliceThere.send("one", "k1");
    assert.deepEqual(retried, first, "a retry of a key sent before the hand-over gets its ack");
    const third = await aliceThere.send("three", "k3");
    assert.equal(third.ok && third.seq, 3);
    assert.deepEqual(to.rooms.presentIn(GROUP).sort(), [ALICE.id, BOB.id].sort());
  });
});
