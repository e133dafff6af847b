import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_MAILBOX_CAPACITY, Mailbox } from "./mailbox.ts";

function drain<T>(mailbox: Mailbox<T>): T[] {
  const items: T[] = [];
  while (mailbox.length > 0) items.push(mailbox.shift());
  return items;
}

describe("Mailbox", () => {
  test("hands items back first in, first out, across growth and wrap-around", () => {
    const mailbox = new Mailbox<number>(2_000);
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7 + round; i++) {
        assert.equal(mailbox.push(next), true);
        expected.push(next++);
      }
      for (let i = 0; i < 5; i++) assert.equal(mailbox.shift(), expected.shift());
    }
    assert.deepEqual(drain(mailbox), expected);
  });

  test("refuses a push past its capacity and leaves its contents unchanged", () => {
    const mailbox = new Mailbox<string>(3);
    assert.equal(mailbox.push("a"), true);
    assert.equal(mailbox.push("b"), true);
    assert.equal(mailbox.push("c"), true);
    assert.equal(mailbox.isFull, true);
    assert.equal(mailbox.push("d"), false);
    assert.deepEqual(drain(mailbox), ["a", "b", "c"]);
    assert.equal(mailbox.push("e"), true);
  });

  test("lets unbounded pushes (an actor's own timers) exceed the capacity", () => {
    const mailbox = new Mailbox<string>(1);
    mailbox.push("cast");
    mailbox.pushUnbounded("timer");
    assert.equal(mailbox.length, 2);
    assert.equal(mailbox.push("refused"), false);
    assert.deepEqual(drain(mailbox), ["cast", "timer"]);
  });

  test("defaults to a capacity of 10,000 and rejects nonsense capacities", () => {
    assert.equal(new Mailbox().capacity, DEFAULT_MAILBOX_CAPACITY);
    assert.equal(DEFAULT_MAILBOX_CAPACITY, 10_000);
    assert.throws(() => new Mailbox(0), RangeError);
    assert.throws(() => new Mailbox(1.5), RangeError);
  });
});
