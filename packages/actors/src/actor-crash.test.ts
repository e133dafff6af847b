import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActorRef } from "./actor-ref.ts";
import { isActorError } from "./errors.ts";
import type { ExitReason } from "./exit-reason.ts";
import { spawn } from "./spawn.ts";
import { Supervisor } from "./supervisor.ts";
import { type CrasherMsg, crasher, createProbe, echo } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

function exitOf<Msg, Reply>(ref: ActorRef<Msg, Reply>): Promise<ExitReason> {
  return new Promise((resolve) => ref.onExit(resolve));
}

function errorMessage(reason: ExitReason): string {
  return reason.kind === "crashed"
    ? (reason.error as Error).message
    : `not a crash: ${reason.kind}`;
}

describe("crashes", () => {
  for (const [title, msg, expected] of [
    ["a throw in handle", { type: "boom" }, "boom"],
    ["a rejection from an async handle", { type: "boom_async" }, "boom later"],
  ] as const) {
    test(`${title} crashes the actor, cancels its work and tells terminate why`, async () => {
      const probe = createProbe();
      const ref = spawn(crasher(probe), { clock: new ManualClock() });
      const exited = exitOf(ref);
      ref.send(msg satisfies CrasherMsg);
      ref.send({ type: "note", text: "after the crash" });
      assert.equal(errorMessage(await exited), expected);
      assert.deepEqual(probe.events, ["init", "terminate:crashed"]);
      assert.equal(ref.isAlive, false);
      assert.deepEqual(ref.send({ type: "ping" }), { ok: false, error: "stopped" });
    });
  }

  for (const failInit of ["sync", "async"] as const) {
    test(`a ${failInit} failure in init is a crash, and terminate is not called`, async () => {
      const probe = createProbe();
      const ref = spawn(crasher(probe, { failInit }), { clock: new ManualClock() });
      const pending = assert.rejects(ref.call({ type: "ping" }), (error) =>
        isActorError(error, "stopped"),
      );
      const reason = await exitOf(ref);
      assert.equal(reason.kind, "crashed");
      assert.deepEqual(probe.events, ["init"]);
      await pending;
    });
  }

  test("a bug in terminate is reported to the observer and the exit still completes", async () => {
    const failures: string[] = [];
    const base = echo(createProbe());
    const ref = spawn(
      {
        ...base,
        terminate() {
          throw new Error("cleanup bug");
        },
      },
      {
        clock: new ManualClock(),
        label: "leaky",
        observer: { terminateFailed: (label, error) => failures.push(`${label}: ${error}`) },
      },
    );
    await settle();
    assert.deepEqual(await ref.stop(), { kind: "shutdown" });
    assert.deepEqual(failures, ["leaky: Error: cleanup bug"]);
  });

  test("no unhandled rejection escapes any crash scenario", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      const clock = new ManualClock();
      const probe = createProbe();
      const supervisor = new Supervisor({ clock, maxRestarts: 100 });
      const started = supervisor.startChild({
        id: "supervised",
        restart: "permanent",
        start: () => crasher(probe),
      });
      assert.ok(started.ok);
      const supervised = started.ref;
      const lone = spawn(crasher(probe), { clock });
      const badInits = [
        spawn(crasher(probe, { failInit: "sync" }), { clock }),
        spawn(crasher(probe, { failInit: "async" }), { clock }),
      ];
      const badTerminate = spawn(
        {
          ...crasher(probe),
          terminate: () => Promise.reject(new Error("terminate rejected")),
        },
        { clock, observer: { terminateFailed: () => {} } },
      );

      const callOutcomes = [
        supervised.call({ type: "boom" }).catch((error: unknown) => error),
        supervised.call({ type: "boom_async" }).catch((error: unknown) => error),
        lone.call({ type: "boom_async" }).catch((error: unknown) => error),
      ];
      supervised.send({ type: "later", delayMs: 10, text: "timer" });
      supervised.send({ type: "boom" });
      supervised.send({ type: "boom_async" });
      badTerminate.send({ type: "boom_async" });
      await clock.advance(100);
      for (const outcome of await Promise.all(callOutcomes)) {
        assert.ok(isActorError(outcome, "crashed"));
      }
      assert.equal(await supervised.call({ type: "ping" }), "pong");
      assert.ok(badInits.every((ref) => !ref.isAlive));
      assert.equal(badTerminate.isAlive, false);
      for (let i = 0; i < 5; i++) await settle();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
