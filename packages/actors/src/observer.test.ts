import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActorObserver } from "./behaviour.ts";
import { spawn } from "./spawn.ts";
import { Supervisor } from "./supervisor.ts";
import { crasher, createProbe, slow } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

describe("metrics hooks", () => {
  test("report mailbox depth on enqueue and handling time per message", async () => {
    const clock = new ManualClock();
    const depths: number[] = [];
    const durations: number[] = [];
    const observer: ActorObserver = {
      mailboxDepth(label, depth) {
        assert.equal(label, "worker");
        depths.push(depth);
      },
      messageHandled(_label, durationMs) {
        durations.push(durationMs);
      },
    };
    const ref = spawn(slow(createProbe()), { clock, label: "worker", observer });
    ref.send({ type: "work", durationMs: 30, text: "a" });
    ref.send({ type: "work", durationMs: 10, text: "b" });
    ref.send({ type: "work", durationMs: 0, text: "c" });
    await clock.advance(100);
    assert.deepEqual(depths, [1, 2, 3]);
    assert.deepEqual(durations, [30, 10, 0]);
  });

  test("restarts and give-ups reach the supervisor's event hook, which children share", async () => {
    const clock = new ManualClock();
    const handledBy: string[] = [];
    const events: string[] = [];
    const supervisor = new Supervisor({
      clock,
      maxRestarts: 1,
      observer: { messageHandled: (label) => handledBy.push(label) },
      onEvent: (event) => events.push(event.type),
    });
    const started = supervisor.startChild({
      id: "room:7",
      restart: "permanent",
      start: () => crasher(createProbe()),
    });
    assert.ok(started.ok);
    started.ref.send({ type: "note", text: "x" });
    started.ref.send({ type: "boom" });
    started.ref.send({ type: "boom" });
    await settle();
    assert.deepEqual(handledBy, ["room:7"]);
    assert.deepEqual(events, ["started", "crashed", "restarted", "crashed", "gave_up"]);
  });

  test("the ref tells how many messages wait, for sampling at scrape time", async () => {
    const clock = new ManualClock();
    const ref = spawn(slow(createProbe()), { clock });
    assert.equal(ref.mailboxLength, 0);
    ref.send({ type: "work", durationMs: 10, text: "a" });
    ref.send({ type: "work", durationMs: 10, text: "b" });
    assert.equal(ref.mailboxLength, 2);
    await clock.advance(5);
    assert.equal(ref.mailboxLength, 1, "one is being handled, one waits");
    await clock.advance(20);
    assert.equal(ref.mailboxLength, 0);
  });

  test("without hooks the actor works the same", async () => {
    const clock = new ManualClock();
    const ref = spawn(slow(createProbe()), { clock });
    const answer = ref.call({ type: "work", durationMs: 5, text: "plain" });
    await clock.advance(5);
    assert.equal(await answer, "plain");
  });
});
