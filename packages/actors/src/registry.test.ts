import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Registry } from "./registry.ts";
import { spawn } from "./spawn.ts";
import { Supervisor } from "./supervisor.ts";
import { type CrasherMsg, crasher, createProbe, type EchoMsg, echo } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

describe("Registry", () => {
  test("startOrGet starts once; concurrent callers all get the same ref", async () => {
    const clock = new ManualClock();
    const registry = new Registry<EchoMsg, string>();
    let starts = 0;
    const start = () => {
      starts++;
      return spawn(echo(createProbe()), { clock });
    };
    const refs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((resolve) => setImmediate(resolve, i));
        const result = registry.startOrGet("room:1", start);
        assert.ok(result.ok);
        return result.ref;
      }),
    );
    assert.equal(starts, 1);
    assert.ok(refs.every((ref) => ref === refs[0]));
    assert.equal(registry.get("room:1"), refs[0]);
    assert.equal(registry.get("room:2"), undefined);
  });

  test("a name is removed when its actor stops, and can then be started afresh", async () => {
    const clock = new ManualClock();
    const registry = new Registry<EchoMsg, string>();
    const first = registry.startOrGet("room:1", () => spawn(echo(createProbe()), { clock }));
    assert.ok(first.ok);
    first.ref.send({ type: "stop" });
    await settle();
    assert.equal(registry.get("room:1"), undefined);
    assert.equal(registry.size, 0);
    const second = registry.startOrGet("room:1", () => spawn(echo(createProbe()), { clock }));
    assert.ok(second.ok);
    assert.notEqual(second.ref, first.ref);
  });

  test("a supervised restart keeps the name; giving up removes it", async () => {
    const clock = new ManualClock();
    const supervisor = new Supervisor({ clock, maxRestarts: 1 });
    const registry = new Registry<CrasherMsg, string>();
    const started = registry.startOrGet("room:1", () =>
      supervisor.startChild({
        id: "room:1",
        restart: "permanent",
        start: () => crasher(createProbe()),
      }),
    );
    assert.ok(started.ok);
    started.ref.send({ type: "boom" });
    await settle();
    assert.equal(registry.get("room:1"), started.ref);
    assert.equal(await started.ref.call({ type: "ping" }), "pong");
    started.ref.send({ type: "boom" });
    await settle();
    assert.equal(registry.get("room:1"), undefined);
  });

  test("a failed start is returned as is and registers nothing", () => {
    const supervisor = new Supervisor({ clock: new ManualClock(), maxChildren: 0 });
    const registry = new Registry<CrasherMsg, string>();
    const result = registry.startOrGet("room:1", () =>
      supervisor.startChild({
        id: "room:1",
        restart: "permanent",
        start: () => crasher(createProbe()),
      }),
    );
    assert.deepEqual(result, { ok: false, error: "max_children" });
    assert.equal(registry.size, 0);
  });

  test("register refuses a taken name; a start function re-entering its own name is a bug", () => {
    const clock = new ManualClock();
    const registry = new Registry<EchoMsg, string>();
    const ref = spawn(echo(createProbe()), { clock });
    assert.deepEqual(registry.register("a", ref), { ok: true });
    assert.deepEqual(registry.register("a", ref), { ok: false, error: "already_registered" });
    assert.deepEqual(registry.names(), ["a"]);
    assert.throws(
      () => registry.startOrGet("b", () => registry.startOrGet("b", () => ref)),
      /re-entered/,
    );
    assert.equal(registry.get("b"), undefined);
  });
});
