import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { PresenceTracker, type PresenceTransition } from "./presence-tracker.ts";
import type { PresenceDelta } from "./presence-wire.ts";

const GRACE_MS = 5_000;
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

/** Nodes wired through memory; `drop` loses the next delta of a node, as core NATS may. */
function cluster(names: string[]) {
  const clock = new ManualClock(1_000_000);
  const transitions = new Map<string, PresenceTransition[]>();
  const trackers = new Map<string, PresenceTracker>();
  const dropping = new Set<string>();
  for (const name of names) {
    const seen: PresenceTransition[] = [];
    transitions.set(name, seen);
    trackers.set(
      name,
      new PresenceTracker({
        node: name,
        incarnation: () => `${name}-1`,
        clock,
        graceMs: GRACE_MS,
        now: () => clock.now(),
        publish: (delta: PresenceDelta) => {
          if (dropping.delete(name)) return;
          for (const [other, tracker] of trackers) if (other !== name) tracker.applyDelta(delta);
        },
        requestState: async (node) => trackers.get(node)?.state(),
        onTransition: (transition) => seen.push(transition),
      }),
    );
  }
  const at = (name: string) => {
    const tracker = trackers.get(name);
    assert.ok(tracker);
    return tracker;
  };
  const typesOf = (name: string) =>
    (transitions.get(name) ?? []).map((t) => `${t.type}:${t.userId}`);
  return { clock, at, typesOf, dropping, transitions };
}

describe("PresenceTracker", () => {
  test("a person on two nodes is online once; leaving one node changes nothing", async () => {
    const { at, typesOf } = cluster(["a", "b"]);
    at("a").setLocal("sam", 1, true);
    at("b").setLocal("sam", 2, true);
    await nextTick();
    assert.deepEqual(typesOf("a"), ["online:sam"]);
    assert.deepEqual(typesOf("b"), ["online:sam"]);
    assert.equal(at("a").remoteSockets("sam"), 2);
    assert.equal(at("a").nodesOf("sam"), 2);
    at("b").setLocal("sam", 0, false);
    await nextTick();
    assert.deepEqual(typesOf("a"), ["online:sam"], "still on a");
    at("a").setLocal("sam", 0, false);
    await nextTick();
    assert.deepEqual(typesOf("a"), ["online:sam", "offline:sam"]);
    assert.deepEqual(typesOf("b"), ["online:sam", "offline:sam"]);
  });

  test("offline carries when the person was last seen where they left, not when it was heard", async () => {
    const { clock, at, transitions } = cluster(["a", "b"]);
    at("a").setLocal("kim", 1, true);
    await nextTick();
    const droppedAtMs = clock.now();
    await clock.advance(GRACE_MS);
    at("a").setLocal("kim", 0, false, droppedAtMs);
    await nextTick();
    assert.deepEqual(transitions.get("b")?.at(-1), {
      type: "offline",
      userId: "kim",
      lastSeenMs: droppedAtMs,
    });
    assert.equal(at("b").lastSeen("kim"), droppedAtMs);
    at("b").setLocal("kim", 1, true);
    await nextTick();
    assert.equal(at("a").lastSeen("kim"), undefined, "online again: no last-seen kept");
  });

  test("a lost delta is noticed by the next one (or a heartbeat) and the state fetched whole", async () => {
    const { at, dropping } = cluster(["a", "b"]);
    dropping.add("a");
    at("a").setLocal("ann", 1, true);
    await nextTick();
    assert.equal(at("b").isOnline("ann"), false, "the delta was lost");
    at("a").applyHeartbeat("a", "a-1", at("a").version);
    at("b").applyHeartbeat("a", "a-1", at("a").version);
    await nextTick();
    assert.equal(at("b").isOnline("ann"), true, "synced from a's state");
    at("a").setLocal("bo", 1, true);
    await nextTick();
    assert.equal(at("b").isOnline("bo"), true, "deltas follow on from the synced version");
  });

  test("a heartbeat may pass the deltas: one beat behind is let be, two beats behind syncs", async () => {
    const { at, dropping } = cluster(["a", "b"]);
    at("a").setLocal("ann", 1, true);
    await nextTick();
    assert.equal(at("b").isOnline("ann"), true, "b follows a's deltas");
    dropping.add("a");
    at("a").setLocal("bo", 1, true);
    await nextTick();
    at("b").applyHeartbeat("a", "a-1", at("a").version);
    await nextTick();
    assert.equal(at("b").isOnline("bo"), false, "one beat ahead: the delta may be on its way");
    at("b").applyHeartbeat("a", "a-1", at("a").version);
    await nextTick();
    assert.equal(at("b").isOnline("bo"), true, "still behind at the next beat: synced");
  });

  test("a dead node's people stay online for the grace; one back elsewhere meanwhile never left", async () => {
    const { clock, at, typesOf } = cluster(["a", "b", "c"]);
    at("b").setLocal("cy", 1, true);
    at("b").setLocal("dee", 1, true);
    await nextTick();
    at("a").nodeDown("b");
    await clock.advance(GRACE_MS - 1);
    at("c").setLocal("cy", 1, true);
    await nextTick();
    await clock.advance(1);
    assert.deepEqual(typesOf("a"), ["online:cy", "online:dee", "offline:dee"]);
    assert.equal(at("a").isOnline("cy"), true);
  });

  test("the nodes a person has sockets on are counted through every change, a resync and a death", async () => {
    const { clock, at, dropping } = cluster(["a", "b", "c"]);
    at("a").setLocal("sam", 1, true);
    at("b").setLocal("sam", 2, true);
    await nextTick();
    assert.deepEqual([at("a").nodesOf("sam"), at("c").nodesOf("sam")], [2, 2]);
    at("c").setLocal("sam", 1, true);
    at("b").setLocal("sam", 3, true);
    await nextTick();
    assert.equal(at("a").nodesOf("sam"), 3, "more sockets on a node are still one node");
    at("a").setLocal("sam", 0, true);
    await nextTick();
    assert.equal(at("b").nodesOf("sam"), 2, "online on a for the grace, with no socket there");
    assert.equal(at("a").nodesOf("sam"), 2);
    dropping.add("c");
    at("c").setLocal("sam", 0, false);
    await nextTick();
    assert.equal(at("b").nodesOf("sam"), 2, "c's delta was lost");
    at("b").applyHeartbeat("c", "c-1", at("c").version);
    at("b").applyHeartbeat("c", "c-1", at("c").version);
    await nextTick();
    assert.equal(at("b").nodesOf("sam"), 1, "c's whole set fetched: only b now");
    at("c").nodeDown("b");
    await clock.advance(GRACE_MS - 1);
    assert.equal(at("c").nodesOf("sam"), 1, "a dead node's sockets count through the grace");
    await clock.advance(1);
    assert.equal(at("c").nodesOf("sam"), 0);
    at("c").setLocal("sam", 1, true);
    assert.equal(at("c").nodesOf("sam"), 1);
  });

  test("statuses merge across nodes: the mode wins, then active over idle", async () => {
    const { at, typesOf } = cluster(["a", "b"]);
    at("a").setLocal("sam", 1, true, undefined, "idle");
    at("b").setLocal("sam", 1, true, undefined, "active");
    await nextTick();
    assert.equal(at("a").statusOf("sam"), "active");
    at("b").setLocal("sam", 1, true, undefined, "idle");
    await nextTick();
    assert.equal(at("a").statusOf("sam"), "idle");
    at("a").setLocal("sam", 1, true, undefined, "hidden");
    at("b").setLocal("sam", 1, true, undefined, "hidden");
    await nextTick();
    assert.equal(at("b").statusOf("sam"), "hidden");
    assert.deepEqual(typesOf("b"), ["online:sam", "status:sam", "status:sam"], "idle, then hidden");
    at("a").setLocal("sam", 0, false, undefined, "hidden");
    at("b").setLocal("sam", 0, false, undefined, "hidden");
    await nextTick();
    assert.equal(at("a").statusOf("sam"), undefined);
  });
});
