import assert from "node:assert/strict";
import { describe, test } from "node:test";
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

describe("presence", () => {
  test("two tabs of one user count as one person: closing one changes nothing visible", async () => {
    const { connect } = setup();
    const bob = connect(BOB);
    await bob.join();
    const tab1 = connect(ALICE);
    const tab2 = connect(ALICE);
    await tab1.join();
    bob.frames();

    const second = await tab2.join();
    assert.ok(second.ok);
    assert.equal(second.state.members.length, 2, "still two people");
    assert.deepEqual(bob.frames(), [], "a second tab shows nothing");
    await tab1.disconnect(true);
    assert.deepEqual(bob.frames(), [], "closing one of two tabs shows nothing");
    assert.deepEqual(codeOf(await tab1.send("from a closed tab")), "not_joined");
    await tab2.leave();
    assert.deepEqual(bob.frames(), [{ type: "user_left", group: GROUP, userId: ALICE.id }]);
  });

  test("a clean close or a leave shows user_left at once", async () => {
    const { connect, port } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    const carol = connect(CAROL);
    for (const client of [bob, alice, carol]) await client.join();
    bob.frames();
    carol.frames();
    await alice.disconnect(true);
    assert.deepEqual(bob.seen(), ["user_left"]);
    assert.deepEqual(await carol.leave(), { ok: true });
    assert.deepEqual(bob.seen(), ["user_left"]);
    assert.equal(port.isSubscribed(carol.connId, GROUP), false);
    await bob.send("still here");
    assert.deepEqual(carol.seen(), ["user_left", "user_left"], "no message after leaving");
  });

  test("an unclean drop and a rejoin within the grace: nobody sees a leave or a join", async () => {
    const { connect, clock, rooms } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    await bob.join();
    await alice.join();
    bob.frames();

    await alice.disconnect(false);
    await clock.advance(4_000);
    assert.deepEqual(rooms.presentIn(GROUP).sort(), [ALICE.id, BOB.id].sort());
    const back = connect(ALICE);
    const rejoined = await back.join();
    assert.ok(rejoined.ok);
    assert.deepEqual(
      rejoined.state.members.map((member) => member.userId),
      [BOB.id, ALICE.id],
    );
    await clock.advance(60_000);
    assert.deepEqual(bob.frames(), []);
    await back.send("sorry, tunnel");
    assert.deepEqual(bob.seen(), ["message"]);
  });

  test("when the grace expires the group sees user_left", async () => {
    const { connect, clock, rooms } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    await bob.join();
    await alice.join();
    bob.frames();

    await alice.disconnect(false);
    await clock.advance(4_999);
    assert.deepEqual(bob.frames(), []);
    const duringGrace = connect(CAROL);
    const state = await duringGrace.join();
    assert.ok(state.ok);
    assert.ok(state.state.members.some((member) => member.userId === ALICE.id));
    bob.frames();
    await clock.advance(1);
    assert.deepEqual(bob.frames(), [{ type: "user_left", group: GROUP, userId: ALICE.id }]);
    assert.deepEqual(rooms.presentIn(GROUP).sort(), [BOB.id, CAROL.id].sort());
  });

  test("idle and active: the group hears when the person's status changes", async () => {
    const { connect } = setup();
    const bob = connect(BOB);
    const tab1 = connect(ALICE);
    const tab2 = connect(ALICE);
    await bob.join();
    await tab1.join();
    bob.frames();

    await tab1.setIdle(true);
    assert.deepEqual(bob.frames(), [{ type: "user_idle", group: GROUP, userId: ALICE.id }]);
    await tab1.setIdle(true);
    assert.deepEqual(bob.frames(), [], "no change, no frame");
    await tab2.join();
    assert.deepEqual(bob.frames(), [{ type: "user_active", group: GROUP, userId: ALICE.id }]);
    await tab2.setIdle(true);
    assert.deepEqual(bob.seen(), ["user_idle"], "idle once every tab is idle");
    await tab1.setIdle(false);
    assert.deepEqual(bob.seen(), ["user_active"]);
    await tab1.disconnect(true);
    assert.deepEqual(bob.seen(), ["user_idle"], "the active tab closed: only an idle one is left");

    const state = groupState(await bob.joinAndLook());
    assert.equal(state.members.find((member) => member.userId === ALICE.id)?.status, "idle");
  });
});

describe("typing", () => {
  test("at most one user_typing per second reaches the room; it expires 3 s after the last start", async () => {
    const { connect, clock } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    await bob.join();
    await alice.join();
    bob.frames();

    for (let i = 0; i <= 8; i++) {
      assert.deepEqual(await alice.typingStart(), { ok: true });
      if (i < 8) await clock.advance(250);
    }
    const typing = { type: "user_typing", group: GROUP, userId: ALICE.id, displayName: "Alice" };
    assert.deepEqual(bob.frames(), [typing, typing, typing], "at 0, 1,000 and 2,000 ms");

    const state = groupState(await bob.joinAndLook());
    assert.equal(state.members.find((member) => member.userId === ALICE.id)?.typing, true);
    await clock.advance(2_999);
    assert.deepEqual(bob.frames(), []);
    await clock.advance(1);
    assert.deepEqual(bob.frames(), [
      { type: "user_stopped_typing", group: GROUP, userId: ALICE.id },
    ]);
    await clock.advance(10_000);
    assert.deepEqual(bob.frames(), []);
  });

  test("typing_stop, a send, and the typing socket going away each clear it", async () => {
    const { connect } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    const aliceTab2 = connect(ALICE);
    await bob.join();
    await alice.join();
    await aliceTab2.join();
    bob.frames();

    await alice.typingStart();
    assert.deepEqual(await alice.typingStop(), { ok: true });
    assert.deepEqual(bob.seen(), ["user_typing", "user_stopped_typing"]);
    assert.deepEqual(await alice.typingStop(), { ok: true });
    assert.deepEqual(bob.seen(), [], "not typing: nothing to stop");

    await aliceTab2.typingStart();
    await aliceTab2.send("done typing");
    assert.deepEqual(bob.seen(), ["message", "user_stopped_typing"]);

    await alice.typingStart();
    await aliceTab2.disconnect(false);
    assert.deepEqual(bob.seen(), [], "another tab went away: alice is still typing");
    await alice.disconnect(false);
    assert.deepEqual(bob.seen(), ["user_stopped_typing"], "never left hanging, even in the grace");
  });
});

describe("moderation", () => {
  test("a muted member can read but not send or type; unmuted, they can again", async () => {
    const { connect, rooms, port } = setup();
    const bob = connect(BOB);
    const alice = connect(ALICE);
    await bob.join();
    await alice.join();
    await alice.typingStart();
    bob.frames();
    alice.frames();

    assert.deepEqual(
      await rooms.call(GROUP, { type: "set_muted", userId: ALICE.id, isMuted: true }),
      {
        ok: true,
      },
    );
    assert.deepEqual(bob.seen(), ["user_stopped_typing"]);
    const refused = { ok: false, code: "muted", message: `you are muted in group ${GROUP}` };
    assert.deepEqual(await alice.send("let me speak"), refused);
    assert.deepEqual(await alice.typingStart(), refused);
    await bob.send("you can still read");
    assert.deepEqual(alice.seen(), ["message"], "not told of her own typing");
    assert.equal(port.published("message").length, 1);

    await rooms.call(GROUP, { type: "set_muted", userId: ALICE.id, isMuted: false });
    assert.equal((await alice.send("thanks")).ok, true);

    const carol = connect(CAROL);
    await carol.join({ isMuted: true });
    assert.equal(codeOf(await carol.send("hi")), "muted");
  });

  test("kick takes every connection of the user out of the room at once", async () => {
    const { connect, rooms, port } = setup();
    const bob = connect(BOB);
    const tab1 = connect(ALICE);
    const tab2 = connect(ALICE);
    await bob.join();
    await tab1.join();
    await tab2.join();
    bob.frames();

    const kicked = await rooms.call(GROUP, { type: "kick", userId: ALICE.id });
    assert.deepEqual(kicked, { ok: true, connIds: [tab1.connId, tab2.connId] });
    assert.deepEqual(bob.frames(), [{ type: "user_left", group: GROUP, userId: ALICE.id }]);
    assert.equal(port.isSubscribed(tab1.connId, GROUP), false);
    assert.equal(port.isSubscribed(tab2.connId, GROUP), false);
    tab1.frames();
    await bob.send("bye");
    assert.deepEqual(tab1.frames(), []);
    assert.equal(codeOf(await tab2.send("wait")), "not_joined");
    assert.deepEqual(rooms.presentIn(GROUP), [BOB.id]);
    assert.deepEqual(await rooms.call(GROUP, { type: "kick", userId: ALICE.id }), {
      ok: true,
      connIds: [],
    });
  });
});
