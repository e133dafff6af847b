import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Message } from "@clofri/protocol";
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
