import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActorRef } from "./actor-ref.ts";
import type { Behaviour } from "./behaviour.ts";
import type { RestartType } from "./restart-policy.ts";
import { Supervisor, type SupervisorEvent } from "./supervisor.ts";
import { type CrasherMsg, crasher, crashOnce, createProbe, echo } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

function describeEvent(event: SupervisorEvent): string {
  switch (event.type) {
    case "crashed":
      return `crashed:${(event.error as Error).message}`;
    case "restarted":
      return `restarted:${event.restartsInWindow}`;
    case "gave_up":
      return `gave_up:${(event.error as Error).message}`;
    case "stopped":
      return `stopped:${event.reason.kind}`;
    default:
      return event.type;
  }
}

function setup(options: { maxRestarts?: number; restartWindowMs?: number; maxChildren?: number }) {
  const clock = new ManualClock();
  const events: string[] = [];
  const supervisor = new Supervisor({
    clock,
    ...options,
    onEvent: (event) => events.push(describeEvent(event)),
  });
  return { clock, events, supervisor };
}

function startCrasher(supervisor: Supervisor, restart: RestartType, id = "child") {
  const probe = createProbe();
  const started = supervisor.startChild({ id, restart, start: () => crasher(probe) });
  assert.ok(started.ok, "expected the child to start");
  return { probe, ref: started.ref };
}

async function crash(ref: ActorRef<CrasherMsg, string>): Promise<void> {
  ref.send({ type: "boom" });
  await settle();
}

describe("Supervisor restart types", () => {
  test("permanent: restarted after a crash and after a normal exit", async () => {
    const { events, supervisor } = setup({});
    const probe = createProbe();
    const started = supervisor.startChild({
      id: "echo",
      restart: "permanent",
      start: () => echo(probe),
    });
    assert.ok(started.ok);
    started.ref.send({ type: "stop" });
    await settle();
    assert.equal(await started.ref.call({ type: "echo", text: "back" }), "back");
    assert.deepEqual(probe.events, ["init", "terminate:normal", "init"]);
    assert.deepEqual(events, ["started", "restarted:1"]);
  });

  test("transient: restarted after a crash, not after a normal exit", async () => {
    const { events, supervisor } = setup({});
    const probe = createProbe();
    const started = supervisor.startChild({
      id: "echo",
      restart: "transient",
      start: () => echo(probe),
    });
    assert.ok(started.ok);
    const { ref } = startCrasher(supervisor, "transient", "crasher");
    await crash(ref);
    assert.equal(await ref.call({ type: "ping" }), "pong");
    started.ref.send({ type: "stop" });
    await settle();
    assert.equal(started.ref.isAlive, false);
    assert.deepEqual(supervisor.childIds(), ["crasher"]);
    assert.deepEqual(events, [
      "started",
      "started",
      "crashed:boom",
      "restarted:1",
      "stopped:normal",
    ]);
  });

  test("temporary: never restarted", async () => {
    const { events, supervisor } = setup({});
    const { probe, ref } = startCrasher(supervisor, "temporary");
    await crash(ref);
    assert.equal(ref.isAlive, false);
    assert.equal(supervisor.size, 0);
    assert.deepEqual(probe.events, ["init", "terminate:crashed"]);
    assert.deepEqual(events, ["started", "crashed:boom", "stopped:crashed"]);
  });
});

describe("Supervisor restarts keep the ref", () => {
  type LogMsg = { type: "append"; line: string } | { type: "crash" } | { type: "read" };

  /** Log: appends to a buffer owned outside the actor, which `start` hands to each incarnation. */
  function log(buffer: string[], starts: { count: number }): Behaviour<LogMsg, string[], string> {
    starts.count++;
    return {
      init: () => buffer,
      handle(msg, lines, ctx) {
        if (msg.type === "crash") throw new Error("log crashed");
        if (msg.type === "append") lines.push(msg.line);
        else ctx.reply(lines.join(","));
        return lines;
      },
    };
  }

  test("the crashing message is dropped; messages queued behind it reach the new incarnation", async () => {
    const { supervisor } = setup({});
    const buffer: string[] = [];
    const starts = { count: 0 };
    const started = supervisor.startChild({
      id: "log",
      restart: "transient",
      start: () => log(buffer, starts),
    });
    assert.ok(started.ok);
    const ref = started.ref;
    ref.send({ type: "append", line: "a" });
    ref.send({ type: "crash" });
    ref.send({ type: "append", line: "b" });
    const read = ref.call({ type: "read" });
    assert.equal(await read, "a,b");
    assert.equal(starts.count, 2);
    assert.equal(ref.isAlive, true);
  });
});

describe("Supervisor with CrashOnce", () => {
  test("a transient child crashes once, comes back, and survives the same message later", async () => {
    const { events, supervisor } = setup({});
    const probe = createProbe();
    const started = supervisor.startChild({
      id: "once",
      restart: "transient",
      start: () => crashOnce(probe),
    });
    assert.ok(started.ok);
    started.ref.send({ type: "boom" });
    started.ref.send({ type: "note", text: "queued behind the crash" });
    started.ref.send({ type: "boom" });
    await settle();
    assert.deepEqual(probe.events, ["init", "init", "note:queued behind the crash", "survived"]);
    assert.deepEqual(events, ["started", "crashed:first boom", "restarted:1"]);
  });
});

describe("Supervisor restart intensity", () => {
  test("past the default 3 restarts in 5 s the child is stopped and gave_up reported", async () => {
    const { clock, events, supervisor } = setup({});
    const { probe, ref } = startCrasher(supervisor, "permanent");
    for (let i = 0; i < 4; i++) {
      await crash(ref);
      await clock.advance(1_000);
    }
    assert.equal(ref.isAlive, false);
    assert.equal(supervisor.has("child"), false);
    assert.deepEqual(ref.send({ type: "ping" }), { ok: false, error: "stopped" });
    assert.equal(probe.events.filter((event) => event === "init").length, 4);
    assert.deepEqual(events, [
      "started",
      "crashed:boom",
      "restarted:1",
      "crashed:boom",
      "restarted:2",
      "crashed:boom",
      "restarted:3",
      "crashed:boom",
      "gave_up:boom",
    ]);
  });

  test("the window slides: restarts older than the window no longer count", async () => {
    const { clock, events, supervisor } = setup({ maxRestarts: 2, restartWindowMs: 5_000 });
    const { ref } = startCrasher(supervisor, "permanent");
    for (let i = 0; i < 6; i++) {
      await crash(ref);
      await clock.advance(3_000);
    }
    assert.equal(ref.isAlive, true);
    assert.deepEqual(
      events.filter((event) => event.startsWith("restarted")),
      ["restarted:1", "restarted:2", "restarted:2", "restarted:2", "restarted:2", "restarted:2"],
    );

    await crash(ref);
    await clock.advance(1_000);
    await crash(ref);
    assert.equal(ref.isAlive, false);
    assert.equal(events.at(-1), "gave_up:boom");
  });

  test("a child whose init keeps failing is given up on, not retried forever", async () => {
    const { events, supervisor } = setup({ maxRestarts: 2 });
    const probe = createProbe();
    const started = supervisor.startChild({
      id: "broken",
      restart: "permanent",
      start: () => crasher(probe, { failInit: "sync" }),
    });
    assert.ok(started.ok);
    await new Promise<void>((resolve) => started.ref.onExit(() => resolve()));
    assert.deepEqual(probe.events, ["init", "init", "init"]);
    assert.equal(events.at(-1), "gave_up:init failed");
  });
});

describe("Supervisor children", () => {
  test("maxChildren: one more child is an error value, and a freed slot can be reused", async () => {
    const { supervisor } = setup({ maxChildren: 2 });
    startCrasher(supervisor, "temporary", "a");
    const { ref } = startCrasher(supervisor, "temporary", "b");
    const refused = supervisor.startChild({
      id: "c",
      restart: "temporary",
      start: () => crasher(createProbe()),
    });
    assert.deepEqual(refused, { ok: false, error: "max_children" });
    await crash(ref);
    assert.equal(
      supervisor.startChild({ id: "c", restart: "temporary", start: () => crasher(createProbe()) })
        .ok,
      true,
    );
  });

  test("a duplicate id is refused", () => {
    const { supervisor } = setup({});
    startCrasher(supervisor, "temporary", "same");
    const again = supervisor.startChild({
      id: "same",
      restart: "temporary",
      start: () => crasher(createProbe()),
    });
    assert.deepEqual(again, { ok: false, error: "already_started" });
  });

  test("terminateChild stops a permanent child for good", async () => {
    const { events, supervisor } = setup({});
    const { probe, ref } = startCrasher(supervisor, "permanent");
    await settle();
    assert.equal(await supervisor.terminateChild("child", "room closed"), true);
    assert.equal(await supervisor.terminateChild("child"), false);
    assert.equal(ref.isAlive, false);
    assert.deepEqual(probe.events, ["init", "terminate:shutdown"]);
    assert.deepEqual(events, ["started", "stopped:shutdown"]);
  });

  test("shutdown stops every child and refuses new ones", async () => {
    const { supervisor } = setup({});
    const refs = ["a", "b", "c"].map((id) => startCrasher(supervisor, "permanent", id).ref);
    await supervisor.shutdown();
    assert.ok(refs.every((ref) => !ref.isAlive));
    assert.equal(supervisor.size, 0);
    const late = supervisor.startChild({
      id: "d",
      restart: "permanent",
      start: () => crasher(createProbe()),
    });
    assert.deepEqual(late, { ok: false, error: "shut_down" });
  });
});
