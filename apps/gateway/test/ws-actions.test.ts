import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_MAX_RESTARTS } from "@clofri/actors";
import { ManualClock } from "@clofri/actors/testing";
import { LIMITS } from "@clofri/protocol";
import { RoomSupervisor } from "../src/chat/room-supervisor.ts";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, call, createGroup, LOUD, newPeople } from "./social-harness.ts";
import { type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const RETAINED = 6;

// Message actions over real sockets: unsend, edit (15 minutes on the gateway's settable wall
// clock), reactions and replies, seen live by everyone in the room, by a fresh join and a resume,
// and across a supervisor restart of the room.

describe("message actions over the WebSocket: unsend, edit, reactions, replies", () => {
  let t: TestGateway;
  const clock = new ManualClock(1_000_000);
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: {
        ...LOUD,
        RING_MAX_MESSAGES: String(RETAINED),
      },
      options: { clock, enableTestHooks: true },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  /** Alice created the group; Bob is a member; both are in the room (Carol is a member when asked). */
  async function cast(withCarol = false) {
    const [alice, bob, carol] = await newPeople(t, 3);
    if (!alice || !bob || !carol) throw new Error("expected three people");
    await befriend(t, alice, bob, carol);
    const group = (await createGroup(t, alice, withCarol ? [bob, carol] : [bob])).id;
    const a = await joined(t, alice, group);
    const b = await joined(t, bob, group);
    clients.push(a.client, b.client);
    let keys = 0;
    const send = async (client: WsClient, text: string, extra: Record<string, unknown> = {}) => {
      const key = `k${++keys}`;
      const ack = await client.request({ type: "send", group, text, key, ...extra });
      assert.equal(ack.type, "ack", JSON.stringify(ack));
      return { id: ack.id as string, ts: ack.ts as number, key };
    };
    const act = (client: WsClient, frame: Record<string, unknown>) =>
      client.request({ group, ...frame });
    /** A fresh join's view of the room's messages. */
    const fresh = async () => {
      const { client, state } = await joined(t, alice, group);
      clients.push(client);
      return state.messages as Frame[];
    };
    return { alice, bob, carol, group, a: a.client, b: b.client, send, act, fresh };
  }

  const isType = (type: string, id?: string) => (frame: Frame) =>
    frame.type === type && (id === undefined || frame.id === id);

  test("the author unsends: everyone sees message_removed, a retry of its key gets the first ack and nothing comes back", async () => {
    const { alice, bob, group, a, b, send, act, fresh } = await cast();
    const first = await send(b, "oops, wrong chat");
    const kept = await send(b, "kept");
    assert.equal((await act(b, { type: "unsend", id: first.id })).type, "ack");
    for (const client of [a, b]) {
      const removed = await client.next(isType("message_removed", first.id));
      assert.deepEqual(removed, { type: "message_removed", group, id: first.id, by: bob.id });
    }
    // A retry of the send (same key): the first ack again, and no message.
    const retry = await b.request({ type: "send", group, text: "oops", key: first.key });
    assert.deepEqual([retry.type, retry.id, retry.ts], ["ack", first.id, first.ts]);
    // A message the retry made would reach Alice before the one sent after it.
    const later = await send(b, "later");
    await a.next(isType("message", later.id));
    assert.deepEqual(
      a.all("message").map((m) => m.id),
      [first.id, kept.id, later.id],
    );
    assert.deepEqual(
      (await fresh()).map((m) => m.id),
      [kept.id, later.id],
      "a fresh join does not show it",
    );
    const again = await act(b, { type: "unsend", id: first.id });
    assert.equal(again.code, "not_found");
    // Alice is not its author, but she created the group: moderation.
    assert.equal(
      (await act(b, { type: "unsend", id: (await send(a, "mine")).id })).code,
      "forbidden",
    );
    assert.equal((await act(a, { type: "unsend", id: kept.id })).type, "ack");
    const byCreator = await b.next(isType("message_removed", kept.id));
    assert.equal(byCreator.by, alice.id);
    const unknown = await act(a, { type: "unsend", id: crypto.randomUUID() });
    assert.equal(unknown.code, "not_found");
    const elsewhere = await a.request({ type: "unsend", group: crypto.randomUUID(), id: first.id });
    assert.equal(elsewhere.code, "not_joined");
  });

  test("the author edits within 15 minutes: message_edited live, the new text on join and resume", async () => {
    const { group, a, b, send, act, fresh } = await cast();
    const state = (await b.request({ type: "join", group })) as Frame;
    const sent = await send(b, "see you at 8");
    t.clock.nowMs += 60_000;
    assert.equal(
      (await act(b, { type: "edit", id: sent.id, text: "  see you at 9 " })).type,
      "ack",
    );
    const editedAt = t.clock.nowMs;
    for (const client of [a, b]) {
      const edited = await client.next(isType("message_edited", sent.id));
      assert.deepEqual(edited, {
        type: "message_edited",
        group,
        id: sent.id,
        text: "see you at 9",
        editedAt,
      });
    }
    const [shown] = await fresh();
    assert.deepEqual(
      [shown?.text, shown?.editedAt, shown?.ts],
      ["see you at 9", editedAt, sent.ts],
    );
    const resumed = await b.request({ type: "join", group, epoch: state.epoch, afterSeq: 0 });
    assert.equal((resumed.messages as Frame[])[0]?.text, "see you at 9");
    assert.equal((await act(a, { type: "edit", id: sent.id, text: "hijack" })).code, "forbidden");
    assert.equal((await act(b, { type: "edit", id: sent.id, text: " \n " })).code, "text_invalid");
    // 15 minutes after it was sent, and no later.
    t.clock.nowMs = sent.ts + LIMITS.editWindowMs;
    assert.equal((await act(b, { type: "edit", id: sent.id, text: "at 10" })).type, "ack");
    t.clock.nowMs += 1;
    const late = await act(b, { type: "edit", id: sent.id, text: "at 11" });
    assert.equal(late.code, "edit_window");
    assert.equal((await fresh())[0]?.text, "at 10");
  });

  test("reactions toggle, one emoji each, at most 8 different on a message, shown on join", async () => {
    const { alice, bob, group, a, b, send, act, fresh } = await cast();
    const sent = await send(a, "pizza tonight?");
    assert.equal((await act(b, { type: "react", id: sent.id, emoji: "👍", on: true })).type, "ack");
    const on = await a.next(isType("reaction", sent.id));
    assert.deepEqual(on, {
      type: "reaction",
      group,
      id: sent.id,
      userId: bob.id,
      emoji: "👍",
      on: true,
    });
    await act(a, { type: "react", id: sent.id, emoji: "👍", on: true });
    await b.next((f) => f.type === "reaction" && f.userId === alice.id);
    // Idempotent: on again changes nothing and tells no one.
    assert.equal((await act(b, { type: "react", id: sent.id, emoji: "👍", on: true })).type, "ack");
    assert.deepEqual((await fresh())[0]?.reactions, { "👍": [bob.id, alice.id] });
    await act(b, { type: "react", id: sent.id, emoji: "👍", on: false });
    const off = await a.next((f) => f.type === "reaction" && f.on === false);
    assert.equal(off.userId, bob.id);
    assert.equal(a.all("reaction").length, 3, "on, on, off: the repeat sent nothing");
    assert.deepEqual((await fresh())[0]?.reactions, { "👍": [alice.id] });

    for (const emoji of ["😀", "🎉", "❤️", "🇫🇷", "👩‍👩‍👧", "1️⃣", "🍕"]) {
      assert.equal((await act(b, { type: "react", id: sent.id, emoji, on: true })).type, "ack");
    }
    const ninth = await act(a, { type: "react", id: sent.id, emoji: "🔥", on: true });
    assert.equal(ninth.code, "too_many_reactions");
    // One of the 8 already there is still open to anyone.
    assert.equal((await act(a, { type: "react", id: sent.id, emoji: "🍕", on: true })).type, "ack");
    assert.equal(Object.keys((await fresh())[0]?.reactions as object).length, 8);
    for (const emoji of ["ok", "😀😀", " "]) {
      const refused = await act(a, { type: "react", id: sent.id, emoji, on: true });
      assert.equal(refused.code, "invalid_frame", emoji);
    }
    const gone = await act(a, { type: "react", id: crypto.randomUUID(), emoji: "👍", on: true });
    assert.equal(gone.code, "not_found");
  });

  test("a reply quotes an excerpt of its original; once the original fades or is unsent the quote says gone", async () => {
    const { alice, a, b, send, act, fresh } = await cast();
    const long = `${"la ".repeat(40)}end`;
    const original = await send(a, long);
    const reply = await send(b, "same", { replyTo: original.id });
    const message = await a.next(isType("message", reply.id));
    const excerpt = message.replyTo as Frame;
    assert.deepEqual(
      { ...excerpt, excerpt: undefined },
      { id: original.id, userId: alice.id, displayName: alice.name, excerpt: undefined },
    );
    assert.equal((excerpt.excerpt as string).length, LIMITS.maxExcerptLength);
    assert.ok((excerpt.excerpt as string).startsWith("la la"));
    // A reply to a message that is not in the buffer is still sent, quoting nothing.
    const unknown = crypto.randomUUID();
    const toNothing = await send(b, "what?", { replyTo: unknown });
    const orphan = await a.next(isType("message", toNothing.id));
    assert.deepEqual(orphan.replyTo, { id: unknown, gone: true });
    // Unsent: replies to it say gone on the next join.
    const second = await send(a, "second");
    const replyToSecond = await send(b, "re", { replyTo: second.id });
    await act(a, { type: "unsend", id: second.id });
    const shown = await fresh();
    const byId = new Map(shown.map((m) => [m.id, m]));
    assert.deepEqual(byId.get(replyToSecond.id)?.replyTo, { id: second.id, gone: true });
    assert.equal((byId.get(reply.id)?.replyTo as Frame | undefined)?.id, original.id);
    // The original fades (only the last 6 are kept): the reply's quote says so.
    for (let i = 0; i < RETAINED - 4; i++) await send(a, `filler ${i}`);
    const after = await fresh();
    const replyAfter = after.find((m) => m.id === reply.id);
    assert.equal(
      after.some((m) => m.id === original.id),
      false,
      "the original has faded",
    );
    assert.deepEqual(replyAfter?.replyTo, { id: original.id, gone: true });
    const late = await send(b, "late", { replyTo: original.id });
    assert.deepEqual((await a.next(isType("message", late.id))).replyTo, {
      id: original.id,
      gone: true,
    });
  });

  test("unsend, edit and react right as the room restarts: kept by the next incarnation, seen on a resume", async () => {
    const { bob, group, a, b, send, act, fresh } = await cast();
    const one = await send(b, "one");
    const two = await send(b, "two");
    const three = await send(a, "three");
    const epoch = (await b.request({ type: "join", group })).epoch;
    assert.equal(t.gateway.realtime.rooms.crash(group), true);
    // Sent while the supervisor restarts the room: each is handled by the next incarnation.
    const replies = await Promise.all([
      act(b, { type: "unsend", id: one.id }),
      act(b, { type: "edit", id: two.id, text: "two, edited" }),
      act(b, { type: "react", id: three.id, emoji: "🎉", on: true }),
    ]);
    assert.deepEqual(
      replies.map((r) => r.type),
      ["ack", "ack", "ack"],
      JSON.stringify(replies),
    );
    await a.next(isType("message_removed", one.id));
    await a.next(isType("message_edited", two.id));
    await a.next(isType("reaction", three.id));
    assert.equal(t.gateway.realtime.rooms.crash(group), true);
    await a.next((f) => f.type === "group_state" && f.ref === undefined);
    const resumed = await a.request({ type: "join", group, epoch, afterSeq: 0 });
    assert.equal(resumed.epoch, epoch, "a supervisor restart keeps the epoch");
    const messages = resumed.messages as Frame[];
    assert.deepEqual(
      messages.map((m) => [m.id, m.text, m.reactions]),
      [
        [two.id, "two, edited", {}],
        [three.id, "three", { "🎉": [bob.id] }],
      ],
    );
    // The unsent message's key still answers its first ack after the restarts.
    const retry = await b.request({ type: "send", group, text: "one", key: one.key });
    assert.equal(retry.id, one.id);
    assert.equal((await fresh()).length, 2);
  });

  /** Every change to a message this socket has heard of. */
  const changesHeard = (client: WsClient) =>
    client.received.filter((f) =>
      ["message_edited", "reaction", "message_removed"].includes(f.type),
    );

  /**
   * The changes Alice and Bob have heard of once `barrier`, a message sent after the refused
   * actions, has reached them both: the room would have published a change before it, and room
   * events reach each socket in the order the room published them (across a cluster pair too).
   */
  async function changesSeen(a: WsClient, b: WsClient, barrier: string) {
    const seen = [];
    for (const client of [a, b]) {
      await client.next(isType("message", barrier));
      seen.push(changesHeard(client));
    }
    return seen;
  }

  test("a muted member's edit and react are refused with muted; nobody sees a change", async () => {
    const { alice, bob, group, a, b, send, act, fresh } = await cast();
    const mine = await send(b, "see you at 8");
    const theirs = await send(a, "pizza tonight?");
    const path = `/api/groups/${group}/members/${bob.id}`;
    assert.equal((await call(t, alice, "PATCH", path, { muted: true })).status, 200);
    await b.next((f) => f.type === "member_muted" && f.muted === true);
    const edit = await act(b, { type: "edit", id: mine.id, text: "see you at 9" });
    assert.deepEqual([edit.type, edit.code], ["error", "muted"], JSON.stringify(edit));
    for (const id of [mine.id, theirs.id]) {
      const react = await act(b, { type: "react", id, emoji: "👍", on: true });
      assert.deepEqual([react.type, react.code], ["error", "muted"], JSON.stringify(react));
    }
    const after = await send(a, "anyone?");
    assert.deepEqual(await changesSeen(a, b, after.id), [[], []]);
    assert.deepEqual(
      (await fresh()).map((m) => [m.id, m.text, m.editedAt, m.reactions]),
      [
        [mine.id, "see you at 8", undefined, {}],
        [theirs.id, "pizza tonight?", undefined, {}],
        [after.id, "anyone?", undefined, {}],
      ],
    );
    // Unmuted, the same edit and reaction go through: it was the mute that refused them.
    assert.equal((await call(t, alice, "PATCH", path, { muted: false })).status, 200);
    await b.next((f) => f.type === "member_muted" && f.muted === false);
    assert.equal((await act(b, { type: "edit", id: mine.id, text: "see you at 9" })).type, "ack");
    assert.equal((await a.next(isType("message_edited", mine.id))).text, "see you at 9");
    assert.equal(
      (await act(b, { type: "react", id: theirs.id, emoji: "👍", on: true })).type,
      "ack",
    );
    assert.equal((await a.next(isType("reaction", theirs.id))).userId, bob.id);
  });

  test("edit and react from a socket that has not joined the room answer not_joined; nobody sees a change", async () => {
    const { bob, group, a, b, send, fresh } = await cast();
    const mine = await send(b, "see you at 8");
    // Bob's other tab: the same person, a member whose other socket is in the room, which runs.
    const { client: tab } = await WsClient.open(t, bob.token);
    clients.push(tab);
    const frames = [
      { type: "edit", id: mine.id, text: "see you at 9" },
      { type: "react", id: mine.id, emoji: "👍", on: true },
    ];
    for (const frame of frames) {
      const refused = await tab.request({ group, ...frame });
      assert.deepEqual([refused.type, refused.code], ["error", "not_joined"], frame.type);
      // A group with no room running here at all.
      const elsewhere = await tab.request({ ...frame, group: crypto.randomUUID() });
      assert.equal(elsewhere.code, "not_joined", frame.type);
    }
    const after = await send(b, "still here");
    assert.deepEqual(await changesSeen(a, b, after.id), [[], []]);
    assert.deepEqual(
      (await fresh()).map((m) => [m.id, m.text, m.editedAt, m.reactions]),
      [
        [mine.id, "see you at 8", undefined, {}],
        [after.id, "still here", undefined, {}],
      ],
    );
  });

  /**
   * Fault: the group's room crashes past its restart budget (ROOM_MAX_RESTARTS is left at its
   * default here) just as a call of this type reaches it, so the call waits in the mailbox of a
   * room that is given up and is never handled. Set on the supervisor, whichever gateway of a
   * cluster pair runs the room.
   */
  function givingUpOn(group: string, type: string): () => void {
    type Call = (groupId: string, msg: { type: string }) => Promise<unknown>;
    type Faulty = { call?: Call; crash(groupId: string): boolean };
    const rooms = t.gateway.realtime.rooms as unknown as Faulty;
    const real = RoomSupervisor.prototype.call as unknown as Call;
    rooms.call = function (this: Faulty, groupId, msg) {
      if (groupId === group && msg.type === type) {
        for (let crash = 0; crash <= DEFAULT_MAX_RESTARTS; crash++) this.crash(groupId);
      }
      return real.call(this, groupId, msg);
    };
    return () => {
      delete rooms.call;
    };
  }

  test("unsend, edit and react that reach a room as it is given up answer room_unavailable; nobody sees a change", async () => {
    const { group, a, b, send, act, fresh } = await cast();
    const actions = [
      (id: string) => ({ type: "unsend", id }),
      (id: string) => ({ type: "edit", id, text: "edited" }),
      (id: string) => ({ type: "react", id, emoji: "👍", on: true }),
    ];
    for (const action of actions) {
      const mine = await send(b, "mine");
      const frame = action(mine.id);
      const { type } = frame;
      const heal = givingUpOn(group, type);
      let reply: Frame;
      try {
        reply = await act(b, frame);
      } finally {
        heal();
      }
      assert.deepEqual(
        [reply.type, reply.code],
        ["error", "room_unavailable"],
        JSON.stringify(reply),
      );
      // The room let everyone go (PROTOCOL, "Unsolicited errors"): that error is the last the
      // room sent each socket, so a change it made for the action would have come before it.
      for (const client of [a, b]) {
        const given = await client.next((f) => f.type === "error" && f.ref === undefined);
        assert.deepEqual([given.code, given.group], ["room_unavailable", group]);
        assert.deepEqual(changesHeard(client), [], type);
      }
      for (const client of [a, b]) {
        assert.equal((await client.request({ type: "join", group })).type, "group_state");
      }
    }
    // The room started again works: an action reaching it now is handled.
    const last = await send(b, "last");
    assert.equal((await act(b, { type: "edit", id: last.id, text: "last, edited" })).type, "ack");
    await a.next(isType("message_edited", last.id));
    assert.deepEqual(
      (await fresh()).map((m) => m.text),
      ["last, edited"],
    );
  });

  test("a resume from after the changed messages gets them as updated and removed", async () => {
    const { alice, bob, group, a, b, send, act } = await cast();
    const state = await b.request({ type: "join", group });
    const plain = await send(a, "plain");
    const edited = await send(a, "typo");
    const liked = await send(a, "liked");
    const unsent = await send(a, "unsent");
    const untouchedSeq = (await a.next(isType("message", unsent.id))).seq as number;
    await b.close();
    await act(a, { type: "edit", id: edited.id, text: "fixed" });
    await act(a, { type: "react", id: liked.id, emoji: "❤️", on: true });
    await act(a, { type: "unsend", id: unsent.id });
    const { client } = await WsClient.open(t, bob.token);
    clients.push(client);
    const resumed = await client.request({
      type: "join",
      group,
      epoch: state.epoch,
      afterSeq: untouchedSeq,
    });
    assert.deepEqual(resumed.messages, []);
    const updated = resumed.updated as Frame[];
    assert.deepEqual(
      updated.map((m) => [m.id, m.text, m.reactions]),
      [
        [edited.id, "fixed", {}],
        [liked.id, "liked", { "❤️": [alice.id] }],
      ],
    );
    assert.deepEqual(resumed.removed, [unsent.id]);
    assert.equal(
      updated.some((m) => m.id === plain.id),
      false,
      "an untouched message is not sent again",
    );
  });

  test("an unsent message leaves the home preview of members outside the room", async () => {
    const { bob, carol, group, b, send, act } = await cast(true);
    const c = await WsClient.open(t, carol.token);
    clients.push(c.client);
    await send(b, "hello");
    const secret = await send(b, "the secret");
    await c.client.next((f) => f.type === "group_activity" && f.group === group);
    await act(b, { type: "unsend", id: secret.id });
    await clock.advance(LIMITS.awarenessIntervalMs);
    const activity = await c.client.next(
      (f) => f.type === "group_activity" && (f.preview as Frame | null)?.text === "hello",
    );
    assert.deepEqual([activity.unread, (activity.preview as Frame).userId], [1, bob.id]);
    // On a cluster pair the new socket may be on the gateway that does not run the room, whose
    // hello says nothing of it until the next group_activity (PROTOCOL, awareness).
    if (process.env.TEST_CLUSTER_PAIR === "1") return;
    const again = await WsClient.open(t, carol.token);
    clients.push(again.client);
    const couch = (again.hello.groups as Frame[]).find((g) => g.id === group);
    assert.deepEqual([couch?.unread, (couch?.preview as Frame | undefined)?.text], [1, "hello"]);
  });
});
