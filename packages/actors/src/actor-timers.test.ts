import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Behaviour, TimerRef } from "./behaviour.ts";
import { spawn } from "./spawn.ts";
import { Supervisor } from "./supervisor.ts";
import { crasher, createProbe, sleep } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

/** Alarm: arms named timers, disarms them, and can be kept busy or crashed on demand. */
type AlarmMsg =
  | { type: "arm"; name: string; delayMs: number }
  | { type: "disarm"; name: string }
  | { type: "ring"; name: string }
  | { type: "busy"; durationMs: number; thenCrash?: boolean };
type AlarmState = Map<string, TimerRef>;

function alarm(log: string[]): Behaviour<AlarmMsg, AlarmState> {
  return {
    init: () => new Map(),
    handle(msg, timers, ctx) {
      switch (msg.type) {
        case "arm":
          timers.set(msg.name, ctx.sendAfter(msg.delayMs, { type: "ring", name: msg.name }));
          return timers;
        case "disarm": {
          const timer = timers.get(msg.name);
          log.push(`disarm:${msg.name}:${timer !== undefined && ctx.cancelTimer(timer)}`);
          return timers;
        }
        case "ring":
          log.push(`ring:${msg.name}@${ctx.clock.now()}`);
          return timers;
        case "busy":
          return sleep(ctx.clock, msg.durationMs).then(() => {
            if (msg.thenCrash) throw new Error("crashed while busy");
            return timers;
          });
      }
    },
  };
}

describe("timers owned by the actor", () => {
  test("sendAfter delivers at the due time, earliest first", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const ref = spawn(alarm(log), { clock });
    ref.send({ type: "arm", name: "slow", delayMs: 300 });
    ref.send({ type: "arm", name: "fast", delayMs: 100 });
    await clock.advance(99);
    assert.deepEqual(log, []);
    await clock.advance(1);
    assert.deepEqual(log, ["ring:fast@100"]);
    await clock.advance(500);
    assert.deepEqual(log, ["ring:fast@100", "ring:slow@300"]);
  });

  test("cancelTimer stops a pending timer and reports false once it has rung", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const ref = spawn(alarm(log), { clock });
    ref.send({ type: "arm", name: "a", delayMs: 100 });
    ref.send({ type: "arm", name: "b", delayMs: 100 });
    ref.send({ type: "disarm", name: "a" });
    await clock.advance(200);
    ref.send({ type: "disarm", name: "b" });
    await settle();
    assert.deepEqual(log, ["disarm:a:true", "ring:b@100", "disarm:b:false"]);
  });

  test("a timer cancelled after it fired but before it was handled is never handled", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const ref = spawn(alarm(log), { clock });
    ref.send({ type: "arm", name: "a", delayMs: 10 });
    ref.send({ type: "busy", durationMs: 50 });
    ref.send({ type: "disarm", name: "a" });
    await clock.advance(100);
    assert.deepEqual(log, ["disarm:a:true"]);
  });

  test("stopping cancels every pending timer", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const ref = spawn(alarm(log), { clock });
    for (const name of ["a", "b", "c"]) ref.send({ type: "arm", name, delayMs: 100 });
    await settle();
    await ref.stop();
    await clock.advance(1_000);
    assert.deepEqual(log, []);
  });

  test("a timer set before a crash never fires after it, even once restarted", async () => {
    const clock = new ManualClock();
    const probe = createProbe();
    const supervisor = new Supervisor({ clock });
    const started = supervisor.startChild({
      id: "crasher",
      restart: "permanent",
      start: () => crasher(probe),
    });
    assert.ok(started.ok);
    started.ref.send({ type: "later", delayMs: 100, text: "from the old life" });
    started.ref.send({ type: "boom" });
    started.ref.send({ type: "later", delayMs: 150, text: "from the new life" });
    await clock.advance(1_000);
    assert.deepEqual(probe.events, ["init", "terminate:crashed", "init", "note:from the new life"]);
  });

  test("a timer that rang while the crashing message ran is dropped by the next incarnation", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const supervisor = new Supervisor({ clock });
    const started = supervisor.startChild({
      id: "alarm",
      restart: "permanent",
      start: () => alarm(log),
    });
    assert.ok(started.ok);
    started.ref.send({ type: "arm", name: "stale", delayMs: 10 });
    started.ref.send({ type: "busy", durationMs: 50, thenCrash: true });
    started.ref.send({ type: "arm", name: "fresh", delayMs: 10 });
    await clock.advance(200);
    assert.deepEqual(log, ["ring:fresh@60"]);
  });

  test("many pending timers across actors still use one clock timer", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const refs = Array.from({ length: 10 }, () => spawn(alarm(log), { clock }));
    refs.forEach((ref, i) => {
      for (let j = 0; j < 10; j++) ref.send({ type: "arm", name: `${i}.${j}`, delayMs: 1_000 + j });
    });
    await settle();
    assert.equal(clock.pendingTimerCount, 1);
    await clock.advance(2_000);
    assert.equal(log.length, 100);
  });
});
