import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Behaviour } from "./behaviour.ts";
import { type ActorError, isActorError } from "./errors.ts";
import { spawn } from "./spawn.ts";
import { crasher, createProbe, echo, slow } from "./testing/fixtures.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { settle } from "./testing/settle.ts";

/** Each answer an `ask` got: the reply, or the ActorError's code. */
function answers<Reply>(): {
  seen: (Reply | string)[];
  record: (answer: Reply | ActorError) => void;
} {
  const seen: (Reply | string)[] = [];
  return {
    seen,
    record: (answer) => seen.push(isActorError(answer) ? `error:${answer.code}` : answer),
  };
}

describe("ask (request/reply by callback)", () => {
  test("answers inside ctx.reply, before the actor handles its next message", async () => {
    const events: string[] = [];
    const behaviour: Behaviour<string, null, string> = {
      init: () => null,
      handle(text, state, ctx) {
        events.push(`handle:${text}`);
        ctx.reply(text.toUpperCase());
        events.push(`replied:${text}`);
        return state;
      },
    };
    const ref = spawn(behaviour, { clock: new ManualClock() });
    const onAnswer = (answer: string | ActorError) => events.push(`answer:${String(answer)}`);
    assert.deepEqual(ref.ask("a", onAnswer), { ok: true });
    assert.deepEqual(ref.ask("b", onAnswer), { ok: true });
    assert.deepEqual(events, [], "nothing runs before the actor drains");
    await settle();
    assert.deepEqual(events, [
      "handle:a",
      "answer:A",
      "replied:a",
      "handle:b",
      "answer:B",
      "replied:b",
    ]);
  });

  test("an idle actor answers before ask returns; what it sent itself meanwhile comes next", async () => {
    const events: string[] = [];
    const behaviour: Behaviour<string, null, string> = {
      init: () => null,
      handle(text, state, ctx) {
        events.push(`handle:${text}`);
        // A message to itself while handling: it must wait for this one to finish.
        if (text === "first") ctx.self.send("from inside");
        ctx.reply(text);
        return state;
      },
    };
    const ref = spawn(behaviour, { clock: new ManualClock() });
    await settle();
    ref.ask("first", (answer) => events.push(`answer:${String(answer)}`));
    events.push("ask returned");
    ref.send("queued");
    await settle();
    assert.deepEqual(events, [
      "handle:first",
      "answer:first",
      "ask returned",
      "handle:from inside",
      "handle:queued",
    ]);
  });

  test("a queued ask with a deadline answers `timeout` when the actor does not get to it in time", async () => {
    const clock = new ManualClock();
    const probe = createProbe();
    const ref = spawn(slow(probe), { clock });
    const { seen, record } = answers<string>();
    ref.send({ type: "work", durationMs: 100, text: "stuck" });
    await settle();
    ref.ask({ type: "work", durationMs: 1, text: "waiting" }, record, 30);
    await clock.advance(29);
    assert.deepEqual(seen, []);
    await clock.advance(1);
    assert.deepEqual(seen, ["error:timeout"]);
    await clock.advance(100);
    assert.deepEqual(seen, ["error:timeout"], "the late reply is dropped");
    assert.ok(probe.events.includes("work:waiting"), "the message itself was still handled");
  });

  test("an ask handled at once arms no deadline, even with a timeout", async () => {
    const clock = new ManualClock();
    const ref = spawn(echo(createProbe()), { clock });
    await settle();
    const { seen, record } = answers<string>();
    ref.ask({ type: "echo", text: "now" }, record, 30);
    assert.deepEqual(seen, ["now"]);
    assert.equal(clock.setTimeoutCount, 0);
  });

  test("arms no timer: an ask without a timeout has no deadline", async () => {
    const clock = new ManualClock();
    const ref = spawn(echo(createProbe()), { clock });
    const { seen, record } = answers<string>();
    for (let i = 0; i < 100; i++) ref.ask({ type: "echo", text: `${i}` }, record);
    await settle();
    assert.equal(seen.length, 100);
    assert.equal(clock.setTimeoutCount, 0);
  });

  test("answers `crashed` when its message crashes the actor, `no_reply` when unanswered", async () => {
    const ref = spawn(crasher(createProbe()), { clock: new ManualClock() });
    const { seen, record } = answers<string>();
    ref.ask({ type: "boom" }, record);
    await settle();
    const quiet = spawn(echo(createProbe()), { clock: new ManualClock() });
    quiet.ask({ type: "note", text: "not a question" }, record);
    await settle();
    assert.deepEqual(seen, ["error:crashed", "error:no_reply"]);
  });

  test("is refused like send when full or stopped, and then never answered", async () => {
    const clock = new ManualClock();
    const ref = spawn(slow(createProbe()), { clock, mailboxCapacity: 1 });
    const { seen, record } = answers<string>();
    ref.send({ type: "work", durationMs: 10, text: "busy" });
    await settle();
    assert.deepEqual(ref.ask({ type: "work", durationMs: 1, text: "queued" }, record), {
      ok: true,
    });
    assert.deepEqual(ref.ask({ type: "work", durationMs: 1, text: "over" }, record), {
      ok: false,
      error: "mailbox_full",
    });
    const stopped = ref.stop();
    await clock.advance(10);
    await stopped;
    assert.deepEqual(seen, ["error:stopped"], "the queued ask learns that the actor stopped");
    assert.deepEqual(ref.ask({ type: "work", durationMs: 1, text: "late" }, record), {
      ok: false,
      error: "stopped",
    });
    assert.deepEqual(seen, ["error:stopped"]);
  });

  test("a throwing callback surfaces as an uncaught error and does not crash the actor", async () => {
    const probe = createProbe();
    const ref = spawn(echo(probe), { clock: new ManualClock() });
    const uncaught: unknown[] = [];
    const listener = (error: unknown) => uncaught.push(error);
    const listeners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", listener);
    try {
      ref.ask({ type: "echo", text: "x" }, () => {
        throw new Error("a bug in the asker");
      });
      ref.send({ type: "note", text: "after" });
      await settle();
    } finally {
      process.removeListener("uncaughtException", listener);
      for (const other of listeners) process.on("uncaughtException", other);
    }
    assert.deepEqual(
      uncaught.map((error) => (error as Error).message),
      ["a bug in the asker"],
    );
    assert.equal(ref.isAlive, true);
    assert.deepEqual(probe.events, ["init", "note:after"]);
  });
});
