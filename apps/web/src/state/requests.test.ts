import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerFrame } from "@clofri/protocol";
import { INITIAL_STATE } from "./app-state.ts";
import { reduceFrame } from "./frames.ts";
import { requestAnswered, requestsLoaded } from "./requests.ts";

const NOW = 1_763_800_000_000;
const person = (id: string, displayName: string) => ({ id, displayName, avatarUrl: null });
const LOU = person("u-lou", "Lou");
const KIM = person("u-kim", "Kim");
const SAM = person("u-sam", "Sam");

const loaded = requestsLoaded(INITIAL_STATE, {
  incoming: [
    { id: "r-lou", from: LOU, createdAt: NOW },
    { id: "r-kim", from: KIM, createdAt: NOW },
  ],
  outgoing: [{ id: "r-sam", to: SAM, createdAt: NOW }],
});

test("the loaded lists are what every view counts, the badge included", () => {
  assert.deepEqual(
    loaded.incomingRequests.map((r) => r.from.displayName),
    ["Lou", "Kim"],
  );
  assert.deepEqual(
    loaded.outgoingRequests.map((r) => r.to.displayName),
    ["Sam"],
  );
  const reloaded = requestsLoaded(loaded, { incoming: [], outgoing: [] });
  assert.deepEqual(reloaded.incomingRequests, [], "a cancelled request goes at the next load");
});

test("live frames and my answers change the lists and mark them changed", () => {
  const frames: ServerFrame[] = [
    { type: "friend_request", request: { id: "r-ann", from: person("u-ann", "Ann") } },
    { type: "friend_request", request: { id: "r-ann", from: person("u-ann", "Ann") } },
    { type: "friend_added", friend: { ...SAM, online: true, lastSeen: NOW } },
  ];
  const state = frames.reduce((s, frame) => reduceFrame(s, frame, NOW), loaded);
  assert.deepEqual(
    state.incomingRequests.map((r) => r.id),
    ["r-lou", "r-kim", "r-ann"],
  );
  assert.deepEqual(state.outgoingRequests, [], "Sam accepted my request");
  assert.ok(state.requestsRevision > loaded.requestsRevision);
  const answered = requestAnswered(state, "r-kim");
  assert.deepEqual(
    answered.incomingRequests.map((r) => r.id),
    ["r-lou", "r-ann"],
  );
  assert.equal(answered.requestsRevision, state.requestsRevision + 1);
});
