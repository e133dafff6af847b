import assert from "node:assert/strict";
import { test } from "node:test";
import type { Message } from "@clofri/protocol";
import { INITIAL_STATE } from "./app-state.ts";
import {
  activityOf,
  byActivity,
  deliveryOf,
  markedRead,
  seenBy,
  unreadLabel,
  unreadTotal,
} from "./awareness.ts";
import { viewGroup } from "./sends.ts";
import { apply, G, hello, joined, ME, msg, SAM } from "./testing/frame-fixture.ts";

const frame = (message: Message) => ({ type: "message" as const, ...message });
const preview = { userId: SAM, displayName: "Sam", text: "anyone up?" };

test("hello and group_activity set what I have not seen; the title total follows", () => {
  const withHello = apply(INITIAL_STATE, {
    ...hello,
    groups: hello.groups.map((g) => ({ ...g, unread: 2, lastActivityAt: 5, preview })),
  });
  assert.equal(activityOf(withHello, G).unread, 2);
  assert.equal(unreadTotal(withHello), 2);
  const later = apply(withHello, {
    type: "group_activity",
    group: G,
    seq: 12,
    unread: 12,
    mentioned: true,
    lastActivityAt: 9,
    preview,
  });
  assert.deepEqual(activityOf(later, G), {
    unread: 12,
    mentioned: true,
    lastActivityAt: 9,
    preview,
  });
  assert.equal(unreadLabel(activityOf(later, G).unread), "9+");
});

test("messages in a room I am in count unless I am looking; reading clears them", () => {
  const room = joined();
  const away = apply(room, frame(msg(1)), frame({ ...msg(2), mentions: [ME] }));
  assert.deepEqual([activityOf(away, G).unread, activityOf(away, G).mentioned], [2, true]);
  assert.deepEqual(activityOf(away, G).preview, { userId: SAM, displayName: "Sam", text: "hi 2" });
  const read = markedRead(away, G, 2);
  assert.deepEqual([activityOf(read, G).unread, activityOf(read, G).mentioned], [0, false]);
  assert.equal(read.rooms[G]?.marks[ME], 2);
  const looking = apply(viewGroup({ ...read, attentive: true }, G), frame(msg(3)));
  assert.equal(activityOf(looking, G).unread, 0, "on screen and focused: seen");
});

test("my message: sent, delivered when someone else is in the room, seen once their mark passes it", () => {
  const room = apply(joined(), frame(msg(1, ME)));
  const mine = room.rooms[G]?.messages[0];
  assert.ok(mine);
  assert.equal(deliveryOf(room, G, mine), "delivered", "Sam is in the room");
  const seen = apply(room, { type: "read_up_to", group: G, userId: SAM, seq: 1 });
  assert.equal(deliveryOf(seen, G, mine), "seen");
  assert.deepEqual(seenBy(seen, G, 1), [SAM]);
  const back = apply(seen, { type: "read_up_to", group: G, userId: SAM, seq: 0 });
  assert.equal(back.rooms[G]?.marks[SAM], 1, "a mark never moves back");
});

test("chats sort by their latest activity, the quiet ones last", () => {
  const state = {
    ...INITIAL_STATE,
    activity: {
      a: { unread: 0, mentioned: false, lastActivityAt: 1, preview: null },
      b: { unread: 0, mentioned: false, lastActivityAt: 3, preview: null },
    },
  };
  const ids = byActivity(state, [{ id: "q" }, { id: "a" }, { id: "b" }]).map((g) => g.id);
  assert.deepEqual(ids, ["b", "a", "q"]);
});

test("the new-messages line: at my mark on opening, below what I saw come in, above what I missed", () => {
  const open = viewGroup({ ...apply(joined(), frame(msg(1))), attentive: true }, G);
  assert.equal(open.rooms[G]?.dividerSeq, 0, "message 1 came before I looked");
  const read = markedRead(open, G, 1);
  const live = apply(viewGroup(read, G), frame(msg(2)));
  assert.equal(live.rooms[G]?.dividerSeq, 2, "seen as it came: the line stays below");
  const away = apply({ ...live, attentive: false }, frame(msg(3)), frame(msg(4)));
  assert.equal(
    away.rooms[G]?.dividerSeq,
    2,
    "missed while the tab was hidden: the line stays above",
  );
});
