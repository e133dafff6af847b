import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Message } from "@clofri/protocol";
import { ActivityBatch, activityFor, NO_ACTIVITY, previewOf } from "./room-activity.ts";
import { RoomMemory } from "./room-memory.ts";

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
const RETENTION = { maxMessages: 3, maxAgeMs: 60_000 };
const GROUP = "00000000-0000-4000-8000-000000000001";
const ALEX = "00000000-0000-4000-8000-00000000000a";
const SAM = "00000000-0000-4000-8000-00000000000b";

function message(memory: RoomMemory, userId: string, key: string, ts: number): Message {
  const seq = memory.lastSeq + 1;
  return {
    id: memory.messageId(seq),
    group: GROUP,
    seq,
    userId,
    displayName: "x",
    text: "hi",
    ts,
    key,
    mentions: [],
    reactions: {},
  };
}

describe("RoomMemory", () => {
  test("message ids are lowercase uuids that share the room's prefix and count up by seq", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    const ids = Array.from({ length: 2_000 }, (_, i) => memory.messageId(i + 1));
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, ids.length);
    const tails = ids.map((id) => BigInt(`0x${id.slice(24)}`));
    for (let i = 1; i < tails.length; i++) {
      // Up by one, or wrapped from ffffffffffff to 000000000000.
      const step = ((tails[i] as bigint) - (tails[i - 1] as bigint) + 2n ** 48n) % 2n ** 48n;
      assert.equal(step, 1n, `ids ${ids[i - 1]} → ${ids[i]}`);
      assert.equal(ids[i]?.slice(0, 24), ids[0]?.slice(0, 24));
    }
    // Another room's ids differ from the first 74 bits on.
    assert.notEqual(new RoomMemory(GROUP, RETENTION).messageId(1), ids[0]);
  });

  test("message ids carry from the low half into the high one, and wrap after ffffffffffff", () => {
    const seededWith = (idSeed: string) => new RoomMemory(GROUP, RETENTION, undefined, idSeed);
    const carry = seededWith("12345678-9abc-4def-8123-000000fffffe");
    assert.equal(carry.messageId(1), "12345678-9abc-4def-8123-000000ffffff");
    assert.equal(carry.messageId(2), "12345678-9abc-4def-8123-000001000000");
    const wrap = seededWith("12345678-9abc-4def-8123-fffffffffffe");
    assert.equal(wrap.messageId(1), "12345678-9abc-4def-8123-ffffffffffff");
    assert.equal(wrap.messageId(2), "12345678-9abc-4def-8123-000000000000");
    assert.equal(wrap.messageId(3), "12345678-9abc-4def-8123-000000000001");
  });

  test("an ack is found by sender and key for as long as its message is retained", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    const first = message(memory, ALEX, "k1", 1_000);
    memory.commitMessage(first);
    memory.commitMessage(message(memory, SAM, "k1", 1_001));
    assert.deepEqual(memory.ackFor(ALEX, "k1"), { id: first.id, ts: 1_000, seq: 1 });
    assert.equal(memory.ackFor(ALEX, "k2"), undefined);
    assert.equal(memory.ackFor(SAM, "k1")?.seq, 2);
    // Two more messages push the first out of the three retained: its key is free again.
    memory.commitMessage(message(memory, SAM, "k2", 1_002));
    memory.commitMessage(message(memory, SAM, "k3", 1_003));
    assert.equal(memory.ackFor(ALEX, "k1"), undefined);
    assert.equal(memory.ackFor(SAM, "k1")?.seq, 2);
    // Age drops the rest, and their keys with them.
    memory.prune(1_003 + 60_001);
    assert.equal(memory.messages.length, 0);
    for (const key of ["k1", "k2", "k3"]) assert.equal(memory.ackFor(SAM, key), undefined);
  });
});

describe("RoomMemory snapshots (a room handed to another gateway)", () => {
  test("the rebuilt memory has the same epoch, seq, buffer, keys and members, and goes on from there", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    for (let i = 1; i <= 5; i++)
      memory.commitMessage(message(memory, i % 2 ? ALEX : SAM, `k${i}`, i));
    memory.members.set(ALEX, {
      userId: ALEX,
      displayName: "Alex",
      avatarUrl: null,
      isMuted: false,
      isIdle: true,
      connections: new Map([["c1", true]]),
      graceEndsAtMs: 1_500,
    });

    const copy = RoomMemory.fromSnapshot(
      JSON.parse(JSON.stringify(memory.toSnapshot(1_000))),
      RETENTION,
      50_000,
    );
    assert.equal(copy.epoch, memory.epoch);
    assert.equal(copy.lastSeq, 5);
    assert.deepEqual(copy.messages.toArray(), memory.messages.toArray(), "the 3 retained");
    assert.deepEqual(copy.ackFor(ALEX, "k5"), memory.ackFor(ALEX, "k5"));
    assert.equal(copy.ackFor(ALEX, "k1"), undefined, "an evicted message's key is gone");
    assert.equal(copy.messageId(6), memory.messageId(6), "ids go on from the same seed");
    assert.equal(copy.members.get(ALEX)?.graceEndsAtMs, 50_500, "what was left of the grace");
    assert.deepEqual([...(copy.members.get(ALEX)?.connections ?? [])], [["c1", true]]);
    copy.commitMessage(message(copy, SAM, "k6", 6));
    assert.equal(copy.lastSeq, 6);
  });

  test("read marks and the group's members travel with the room", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    memory.groupMembers.add(ALEX).add(SAM);
    for (let i = 1; i <= 3; i++) memory.commitMessage(message(memory, SAM, `k${i}`, i));
    assert.equal(memory.markRead(ALEX, 2), true);
    const copy = RoomMemory.fromSnapshot(
      JSON.parse(JSON.stringify(memory.toSnapshot(1_000))),
      RETENTION,
      0,
    );
    assert.deepEqual([...copy.groupMembers], [ALEX, SAM]);
    assert.equal(copy.readMarks.get(ALEX), 2);
    assert.equal(activityFor(copy, ALEX).unread, 1);
  });
});

describe("read marks and activity", () => {
  test("a mark never moves back nor past the last seq; unread counts the others' messages after it", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    memory.groupMembers.add(ALEX).add(SAM);
    assert.deepEqual(activityFor(memory, ALEX), NO_ACTIVITY);
    memory.commitMessage(message(memory, SAM, "k1", 10));
    memory.commitMessage({ ...message(memory, SAM, "k2", 11), mentions: [ALEX] });
    memory.commitMessage(message(memory, ALEX, "k3", 12));
    assert.deepEqual(activityFor(memory, ALEX), {
      unread: 2,
      mentioned: true,
      lastActivityAt: 12,
      preview: { userId: ALEX, displayName: "x", text: "hi" },
    });
    assert.equal(memory.markRead(ALEX, 99), true);
    assert.equal(memory.readMarks.get(ALEX), 3, "never past the last seq");
    assert.equal(memory.markRead(ALEX, 1), false, "never back");
    assert.equal(activityFor(memory, ALEX).unread, 0);
    assert.equal(activityFor(memory, ALEX).mentioned, false);
    assert.equal(activityFor(memory, SAM).unread, 1, "Alex's own message, for Sam");
    assert.equal(activityFor(memory, SAM, 13).unread, 0, "too old to count");
    memory.forgetMember(ALEX);
    assert.equal(memory.readMarks.has(ALEX), false);
  });

  test("a batch counts as activityFor does, for every member, whatever the marks", () => {
    const people = [ALEX, SAM, GROUP];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const memory = new RoomMemory(GROUP, RETENTION);
      const sent = Math.floor(random() * 8);
      for (let i = 0; i < sent; i++) {
        const author = people[Math.floor(random() * 3)] as string;
        const mentions = random() < 0.3 ? [people[Math.floor(random() * 3)] as string] : [];
        memory.commitMessage({ ...message(memory, author, `k${i}`, i), mentions });
      }
      for (const userId of people) {
        if (random() < 0.5) memory.markRead(userId, Math.floor(random() * (sent + 2)));
      }
      const batch = new ActivityBatch(memory);
      for (const userId of people) {
        const { unread, mentioned } = activityFor(memory, userId);
        assert.deepEqual(batch.unreadOf(userId), { unread, mentioned }, `round ${round}`);
      }
    }
  });

  test("mentions keep the group's members, once each", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    memory.groupMembers.add(ALEX);
    assert.deepEqual(memory.mentionsAmong([ALEX, SAM, ALEX.toUpperCase()]), [ALEX]);
    assert.deepEqual(memory.mentionsAmong(undefined), []);
  });

  test("a preview is one line of at most 80 characters", () => {
    const long = {
      ...message(new RoomMemory(GROUP, RETENTION), SAM, "k", 1),
      text: "a\nb".repeat(50),
    };
    const preview = previewOf(long);
    assert.equal(preview.text.length, 80);
    assert.ok(preview.text.startsWith("a ba ba b"));
    assert.ok(preview.text.endsWith("…"));
  });
});
