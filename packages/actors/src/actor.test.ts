import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Behaviour } from "./behaviour.ts";
import { isActorError } from "./errors.ts";
import { spawn } from "./spawn.ts";
import { crasher, createProbe, echo, sleep, slow } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

describe("send (cast)", () => {
  test("returns ok and messages are handled in the order they were sent", async () => {
    const probe = createProbe();
    const ref = spawn(echo(probe), { clock: new ManualClock() });
    for (const text of ["a", "b", "c"])
      assert.deepEqual(ref.send({ type: "note", text }), { ok: true });
    await settle();
    assert.deepEqual(probe.events, ["init", "note:a", "note:b", "note:c"]);
  });

  test("an async handle never overlaps the next message, and order is kept", async () => {
    const clock = new ManualClock();
    const probe = createProbe();
    const ref = spawn(slow(probe), { clock });
    ref.send({ type: "work", durationMs: 30, text: "first" });
    ref.send({ type: "work", durationMs: 10, text: "second" });
    ref.send({ type: "work", durationMs: 20, text: "third" });
    await clock.advance(100);
    assert.deepEqual(probe.events, ["work:first", "work:second", "work:third"]);
    assert.equal(probe.maxActive, 1);
  });

  test("a full mailbox is an explicit error value to the sender", async () => {
    const clock = new ManualClock();
    const probe = createProbe();
    const ref = spawn(slow(probe), { clock, mailboxCapacity: 2 });
    ref.send({ type: "work", durationMs: 10, text: "busy" });
    await settle();
    assert.deepEqual(ref.send({ type: "work", durationMs: 1, text: "q1" }), { ok: true });
    assert.deepEqual(ref.send({ type: "work", durationMs: 1, text: "q2" }), { ok: true });
    assert.deepEqual(ref.send({ type: "work", durationMs: 1, text: "q3" }), {
      ok: false,
      error: "mailbox_full",
    });
    await assert.rejects(ref.call({ type: "work", durationMs: 1, text: "q4" }), (error) =>
      isActorError(error, "mailbox_full"),
    );
    await clock.advance(50);
    assert.deepEqual(probe.events, ["work:busy", "work:q1", "work:q2"]);
  });

  test("a stopped actor refuses messages with `stopped`", async () => {
    const ref = spawn(echo(createProbe()), { clock: new ManualClock() });
    await ref.stop();
    assert.equal(ref.isAlive, false);
    assert.deepEqual(ref.send({ type: "note", text: "late" }), { ok: false, error: "stopped" });
    await assert.rejects(ref.call({ type: "echo", text: "late" }), (error) =>
      isActorError(error, "stopped"),
    );
  });
});

describe("call (request/reply)", () => {
  test("resolves with the reply", async () => {
    const ref = spawn(echo(createProbe()), { clock: new ManualClock() });
    assert.equal(await ref.call({ type: "echo", text: "hello" }), "hello");
  });

  test("rejects with `timeout` when no reply comes in time; the late reply is dropped", async () => {
    const clock = new ManualClock();
    const replies: boolean[] = [];
    const behaviour: Behaviour<number, null, string> = {
      init: () => null,
      async handle(durationMs, state, ctx) {
        await sleep(ctx.clock, durationMs);
        replies.push(ctx.reply(`took ${durationMs}ms`));
        return state;
      },
    };
    const ref = spawn(behaviour, { clock });
    const outcome = ref.call(500, 100).then(
      () => "resolved",
      (error: unknown) => (isActorError(error, "timeout") ? "timeout" : "other"),
    );
    await clock.advance(100);
    assert.equal(await outcome, "timeout");
    await clock.advance(400);
    assert.deepEqual(replies, [false]);
    const next = ref.call(1, 100);
    await clock.advance(1);
    assert.equal(await next, "took 1ms");
    assert.deepEqual(replies, [false, true]);
  });

  test("arms no timer per call: every deadline shares the clock's single timer", async () => {
    const clock = new ManualClock();
    const ref = spawn(echo(createProbe()), { clock });
    for (let i = 0; i < 200; i++) await ref.call({ type: "echo", text: `${i}` }, 1_000 + i);
    await Promise.all(Array.from({ length: 200 }, () => ref.call({ type: "echo", text: "x" })));
    assert.equal(clock.setTimeoutCount, 1);
  });

  test("rejects with `crashed` (and the cause) when its message crashes the actor", async () => {
    const ref = spawn(crasher(createProbe()), { clock: new ManualClock() });
    await assert.rejects(ref.call({ type: "boom" }), (error) => {
      assert.ok(isActorError(error, "crashed"));
      assert.equal((error.cause as Error).message, "boom");
      return true;
    });
  });

  test("rejects with `no_reply` when the handler finishes without replying", async () => {
    const ref = spawn(echo(createProbe()), { clock: new ManualClock() });
    await assert.rejects(ref.call({ type: "note", text: "not a question" }), (error) =>
      isActorError(error, "no_reply"),
    );
  });

  test("queued calls are rejected with `stopped` when the actor stops first", async () => {
    const clock = new ManualClock();
    const ref = spawn(slow(createProbe()), { clock });
    const first = ref.call({ type: "work", durationMs: 10, text: "in progress" });
    const queued = assert.rejects(
      ref.call({ type: "work", durationMs: 10, text: "queued" }),
      (error) => isActorError(error, "stopped"),
    );
    await settle();
    const stopped = ref.stop();
    await clock.advance(10);
    assert.equal(await first, "in progress");
    await queued;
    assert.deepEqual(await stopped, { kind: "shutdown" });
  });
});

describe("lifecycle", () => {
  test("init runs before the first message, terminate gets the reason of a self-stop", async () => {
    const probe = createProbe();
    const ref = spawn(echo(probe), { clock: new ManualClock() });
    const exits: string[] = [];
    ref.onExit((reason) => exits.push(reason.kind));
    ref.send({ type: "stop", detail: "done" });
    ref.send({ type: "note", text: "dropped" });
    await settle();
    assert.deepEqual(probe.events, ["init", "terminate:normal"]);
    assert.deepEqual(exits, ["normal"]);
    assert.deepEqual(await ref.stop(), { kind: "normal", detail: "done" });
    assert.deepEqual(ref.send({ type: "note", text: "after" }), { ok: false, error: "stopped" });
  });

  test("an async init holds messages back until it resolves", async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const behaviour: Behaviour<string, string[]> = {
      init: async () => {
        await new Promise((resolve) => clock.setTimeout(() => resolve(null), 50));
        seen.push("ready");
        return seen;
      },
      handle(msg, state) {
        state.push(msg);
        return state;
      },
    };
    const ref = spawn(behaviour, { clock });
    ref.send("early");
    await clock.advance(49);
    assert.deepEqual(seen, []);
    await clock.advance(1);
    assert.deepEqual(seen, ["ready", "early"]);
  });

  test("ref.stop during an async handle waits for it, then terminates with `shutdown`", async () => {
    const clock = new ManualClock();
    const probe = createProbe();
    const terminated: string[] = [];
    const base = slow(probe);
    const ref = spawn(
      { ...base, terminate: (reason) => void terminated.push(reason.kind) },
      { clock },
    );
    ref.send({ type: "work", durationMs: 20, text: "finishing" });
    await settle();
    const stopping = ref.stop("maintenance");
    assert.deepEqual(ref.send({ type: "work", durationMs: 1, text: "refused" }), {
      ok: false,
      error: "stopped",
    });
    await clock.advance(20);
    assert.deepEqual(await stopping, { kind: "shutdown", detail: "maintenance" });
    assert.deepEqual(probe.events, ["work:finishing"]);
    assert.deepEqual(terminated, ["shutdown"]);
  });

  test("a self-sending actor yields to other work between batches", async () => {
    let handled = 0;
    const behaviour: Behaviour<number, null> = {
      init: () => null,
      handle(n, state, ctx) {
        handled++;
        if (n > 0) ctx.self.send(n - 1);
        return state;
      },
    };
    const ref = spawn(behaviour, { clock: new ManualClock(), drainBudget: 100 });
    ref.send(1_000);
    await settle();
    assert.ok(handled > 0 && handled < 1_001, `handled ${handled} in one turn`);
    while (handled < 1_001) await settle();
    await ref.stop();
  });
});
