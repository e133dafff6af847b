// Desktop notifications against stand-ins for the browser's Notification, document and
// localStorage: the mode "busy" silences them (issue 18, presence modes).
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import type { ServerFrame } from "@clofri/protocol";
import type { AppState } from "../state/app-state.ts";
import { apply, G, joined, ME, msg, SAM } from "../state/testing/frame-fixture.ts";
import { notifyFrame } from "./notify.ts";

let shown: Array<{ title: string; body: string }>;

/** The page's globals as a hidden tab with notifications on sees them. */
beforeEach(() => {
  shown = [];
  const stored = new Map([["clofri.notify", "on"]]);
  const globals: Record<string, unknown> = {
    document: { visibilityState: "hidden" },
    localStorage: {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => stored.set(key, value),
    },
    Notification: class {
      static permission = "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? "" });
      }
    },
  };
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
});

afterEach(() => {
  for (const name of ["document", "localStorage", "Notification"]) {
    Reflect.deleteProperty(globalThis, name);
  }
});

const mention: ServerFrame = {
  type: "message",
  ...msg(1),
  text: "look @Alex",
  mentions: [ME],
};

const mentionElsewhere: ServerFrame = {
  type: "group_activity",
  group: G,
  seq: 1,
  unread: 1,
  mentioned: true,
  lastActivityAt: 1,
  preview: { userId: SAM, displayName: "Sam", text: "look @Alex" },
};

const inMode = (presenceMode: "auto" | "busy" | "offline"): AppState =>
  apply(joined(), { type: "presence_mode", presenceMode });

test("a mention notifies when I am not busy, in the room or elsewhere", () => {
  for (const mode of ["auto", "offline"] as const) {
    notifyFrame(inMode(mode), mention);
    notifyFrame(inMode(mode), mentionElsewhere);
  }
  const expected = { title: "Couch: you were mentioned", body: "Sam: look @Alex" };
  assert.deepEqual(shown, [expected, expected, expected, expected]);
});

test("the same mentions raise nothing while I am busy", () => {
  const busy = inMode("busy");
  assert.equal(busy.me?.presenceMode, "busy");
  notifyFrame(busy, mention);
  notifyFrame(busy, mentionElsewhere);
  assert.deepEqual(shown, []);
});
