import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RingBuffer } from "./ring-buffer.ts";

interface Item {
  seq: number;
  ts: number;
}

const HOUR_MS = 3_600_000;

function buffer(maxItems: number, maxAgeMs = 24 * HOUR_MS) {
  const evicted: number[] = [];
  const ring = new RingBuffer<Item>({
    maxItems,
    maxAgeMs,
    onEvict: (item) => evicted.push(item.seq),
  });
  return { ring, evicted };
}

const seqs = (items: Item[]) => items.map((item) => item.seq);

describe("RingBuffer", () => {
  test("keeps the last maxItems, dropping the oldest first", () => {
    const { ring, evicted } = buffer(50);
    for (let seq = 1; seq <= 60; seq++) ring.append({ seq, ts: seq });
    assert.equal(ring.length, 50);
    assert.deepEqual(
      seqs(ring.toArray()),
      Array.from({ length: 50 }, (_, i) => i + 11),
    );
    assert.deepEqual(evicted, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(ring.oldest?.seq, 11);
    assert.equal(ring.newest?.seq, 60);
  });

  test("prune drops what is older than maxAgeMs, and only that", () => {
    const { ring, evicted } = buffer(50, 24 * HOUR_MS);
    ring.append({ seq: 1, ts: 0 });
    ring.append({ seq: 2, ts: 2 * HOUR_MS });
    ring.append({ seq: 3, ts: 5 * HOUR_MS });
    assert.equal(ring.prune(24 * HOUR_MS), 0, "exactly 24 h old is still retained");
    assert.equal(ring.prune(26 * HOUR_MS + 1), 2);
    assert.deepEqual(seqs(ring.toArray()), [3]);
    assert.deepEqual(evicted, [1, 2]);
    assert.equal(ring.prune(100 * HOUR_MS), 1);
    assert.equal(ring.length, 0);
    assert.equal(ring.oldest, undefined);
  });

  test("whichever is fewer: the cap and the age apply together, across wrap-around", () => {
    const { ring } = buffer(5, 10);
    for (let seq = 1; seq <= 12; seq++) ring.append({ seq, ts: seq * 3 });
    assert.deepEqual(seqs(ring.toArray()), [8, 9, 10, 11, 12]);
    ring.prune(12 * 3 + 5);
    assert.deepEqual(seqs(ring.toArray()), [11, 12], "only messages at most 10 ms old");
    ring.append({ seq: 13, ts: 50 });
    ring.append({ seq: 14, ts: 51 });
    assert.deepEqual(seqs(ring.toArray()), [11, 12, 13, 14]);
  });

  test("since(afterSeq) returns what came after, oldest first", () => {
    const { ring } = buffer(50);
    for (let seq = 1; seq <= 60; seq++) ring.append({ seq, ts: seq });
    assert.deepEqual(seqs(ring.since(57)), [58, 59, 60]);
    assert.deepEqual(seqs(ring.since(60)), []);
    assert.deepEqual(seqs(ring.since(99)), []);
    assert.equal(ring.since(5).length, 50, "before the oldest: everything retained");
    assert.equal(ring.since(0).length, 50);
  });

  test("seqs must rise: an out-of-order append is a bug", () => {
    const { ring } = buffer(3);
    ring.append({ seq: 4, ts: 0 });
    assert.throws(() => ring.append({ seq: 4, ts: 0 }), /expected a seq above 4, got 4/);
  });

  test("refuses a size or an age it cannot keep", () => {
    assert.throws(() => buffer(0), /maxItems to be a positive integer, got 0/);
    assert.throws(() => buffer(2.5), /maxItems/);
    assert.throws(() => buffer(5, 0), /maxAgeMs to be a positive number, got 0/);
  });
});
