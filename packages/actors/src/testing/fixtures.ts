import type { Behaviour } from "../behaviour.ts";
import type { Clock } from "../clock.ts";

/** What a fixture saw, kept outside the actor so it survives crashes and restarts. */
export interface Probe {
  events: string[];
  /** CrashOnce: set by the first `boom`, so later incarnations survive it. */
  hasCrashed: boolean;
  /** Slow: handlers currently running, and the most ever seen at once. */
  active: number;
  maxActive: number;
}

export function createProbe(): Probe {
  return { events: [], hasCrashed: false, active: 0, maxActive: 0 };
}

/** Echo: answers calls, records casts, arms timers, stops itself on request. */
export type EchoMsg =
  | { type: "echo"; text: string }
  | { type: "note"; text: string }
  | { type: "later"; delayMs: number; text: string }
  | { type: "stop"; detail?: string };

export function echo(probe: Probe): Behaviour<EchoMsg, { handled: number }, string> {
  return {
    init() {
      probe.events.push("init");
      return { handled: 0 };
    },
    handle(msg, state, ctx) {
      state.handled++;
      switch (msg.type) {
        case "echo":
          ctx.reply(msg.text);
          break;
        case "note":
          probe.events.push(`note:${msg.text}`);
          break;
        case "later":
          ctx.sendAfter(msg.delayMs, { type: "note", text: msg.text });
          break;
        case "stop":
          ctx.stop(msg.detail);
          break;
      }
      return state;
    },
    terminate(reason) {
      probe.events.push(`terminate:${reason.kind}`);
    },
  };
}

/** Crasher: `boom` throws, `boom_async` rejects, every time; optionally `init` fails too. */
export type CrasherMsg =
  | { type: "boom" }
  | { type: "boom_async" }
  | { type: "note"; text: string }
  | { type: "later"; delayMs: number; text: string }
  | { type: "ping" };

export interface CrasherOptions {
  failInit?: "sync" | "async";
}

export function crasher(
  probe: Probe,
  options: CrasherOptions = {},
): Behaviour<CrasherMsg, null, string> {
  return {
    init() {
      probe.events.push("init");
      if (options.failInit === "sync") throw new Error("init failed");
      if (options.failInit === "async") return Promise.reject(new Error("init failed later"));
      return null;
    },
    handle(msg, state, ctx) {
      switch (msg.type) {
        case "boom":
          throw new Error("boom");
        case "boom_async":
          return Promise.reject(new Error("boom later"));
        case "note":
          probe.events.push(`note:${msg.text}`);
          break;
        case "later":
          ctx.sendAfter(msg.delayMs, { type: "note", text: msg.text });
          break;
        case "ping":
          ctx.reply("pong");
          break;
      }
      return state;
    },
    terminate(reason) {
      probe.events.push(`terminate:${reason.kind}`);
    },
  };
}

/** CrashOnce: the first `boom` ever (across restarts) throws; later ones are survived. */
export type CrashOnceMsg = { type: "boom" } | { type: "note"; text: string };

export function crashOnce(probe: Probe): Behaviour<CrashOnceMsg, null> {
  return {
    init() {
      probe.events.push("init");
      return null;
    },
    handle(msg, state) {
      if (msg.type === "note") probe.events.push(`note:${msg.text}`);
      else if (probe.hasCrashed) probe.events.push("survived");
      else {
        probe.hasCrashed = true;
        throw new Error("first boom");
      }
      return state;
    },
  };
}

/** Slow: each `work` takes `durationMs` on the actor's clock before it is recorded and answered. */
export type SlowMsg = { type: "work"; durationMs: number; text: string };

export function slow(probe: Probe): Behaviour<SlowMsg, null, string> {
  return {
    init() {
      return null;
    },
    async handle(msg, state, ctx) {
      probe.active++;
      probe.maxActive = Math.max(probe.maxActive, probe.active);
      await sleep(ctx.clock, msg.durationMs);
      probe.active--;
      probe.events.push(`work:${msg.text}`);
      ctx.reply(msg.text);
      return state;
    },
  };
}

export function sleep(clock: Clock, durationMs: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, durationMs));
}
