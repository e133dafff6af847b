import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS } from "@clofri/actors";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, createGroup, newPeople, RELAXED } from "./social-harness.ts";
import { chatCast, type Frame, joined, useTestGateway, type WsClient } from "./ws-client.ts";

const [engine] = testEngines();
// Budgets out of the way: these suites test robustness, ws-limits tests the budgets.
const LOUD = {
  ...RELAXED,
  MESSAGES_PER_MINUTE: "1000000",
  MESSAGE_BURST_PER_SECOND: "1000000",
  CONTROL_FRAME_BURST: "1000000",
};

const CRASHES = 1_000;
const CALM_ROOMS = 50;
// The restart intensity is a sliding window on the rooms' clock (the ManualClock here): crashes
// this far apart keep DEFAULT_MAX_RESTARTS restarts in every DEFAULT_RESTART_WINDOW_MS, the
// budget used to the full and never past it.
const CRASH_SPACING_MS = Math.floor(DEFAULT_RESTART_WINDOW_MS / DEFAULT_MAX_RESTARTS) + 1;

describe("one room crashing 1,000 times among 50 busy rooms", () => {
  let t: TestGateway;
  const clock = new ManualClock(1_000_000);
  const clients: WsClient[] = [];
  useTestGateway(
    { engine, env: LOUD, options: { clock, enableTestHooks: true }, clients },
    (started) => {
      t = started;
    },
  );

  /** Two friends in a group of their own, a writer and a reader, both joined. */
  async function pairRoom() {
    const [writerPerson, readerPerson] = await newPeople(t, 2);
    if (!writerPerson || !readerPerson) throw new Error("expected two people");
    await befriend(t, writerPerson, readerPerson);
    const group = (await createGroup(t, writerPerson, [readerPerson])).id;
    const writer = await joined(t, writerPerson, group);
    const reader = await joined(t, readerPerson, group);
    clients.push(writer.client, reader.client);
    return { group, writer: writer.client, reader: reader.client, epoch: writer.state.epoch };
  }

  test("the other rooms lose, duplicate or reorder nothing; the crashing one keeps its history", async (ctx) => {
    const startedAtMs = performance.now();
    const crashing = await pairRoom();
    const calm = await Promise.all(Array.from({ length: CALM_ROOMS }, () => pairRoom()));
    const setUpMs = performance.now() - startedAtMs;
    const { rooms } = t.gateway.realtime;
    const say = (ws: WsClient, group: string, key: string) =>
      ws.request({ type: "send", group, text: `text of ${key}`, key });

    const loopStartedAtMs = performance.now();
    for (let crash = 1; crash <= CRASHES; crash++) {
      assert.equal(rooms.crash(crashing.group), true);
      // Every calm room carries a message while the crashing room restarts.
      for (const room of calm) {
        room.writer.send({
          type: "send",
          group: room.group,
          text: `c${crash}`,
          key: `c${crash}`,
          ref: `c${crash}`,
        });
      }
      const ack = await say(crashing.writer, crashing.group, `m${crash}`);
      assert.equal(
        ack.type,
        "ack",
        `the restarted room handles the send queued after crash ${crash}`,
      );
      // Call deadlines run on this clock too: nothing may be in flight when it moves.
      await Promise.all(
        calm.map((room) =>
          room.writer.until(
            () => room.writer.count("ack") >= crash,
            `ack ${crash} in ${room.group}`,
          ),
        ),
      );
      await clock.advance(CRASH_SPACING_MS);
    }
    const loopMs = performance.now() - loopStartedAtMs;

    // The crashing room still works, with its seq going on.
    const last = await say(crashing.writer, crashing.group, "after");
    const lastMessage = await crashing.reader.next((f) => f.type === "message" && f.id === last.id);
    assert.equal(lastMessage.seq, CRASHES + 1);
    assert.deepEqual(seqsOf(crashing.reader), range(1, CRASHES + 1));

    // Its members got a fresh group_state per restart: same epoch, the ring as it was.
    const maxMessages = 50;
    for (const ws of [crashing.writer, crashing.reader]) {
      const fresh = ws.all("group_state").filter((f) => f.ref === undefined);
      assert.equal(fresh.length, CRASHES, "one group_state per restart");
      for (const [index, state] of fresh.entries()) {
        const handled = index; // sends handled before crash index + 1
        assert.equal(state.epoch, crashing.epoch);
        assert.deepEqual(
          (state.messages as Frame[]).map((m) => m.seq),
          range(Math.max(1, handled - maxMessages + 1), handled),
          `the ring after ${handled} messages`,
        );
        assert.equal((state.members as Frame[]).length, 2);
      }
    }

    // Every calm room: each acked message exactly once, seq 1…n in order, on both sockets.
    for (const room of calm) {
      await room.reader.until(
        () => room.reader.count("message") >= CRASHES,
        "all messages",
        10_000,
      );
      const acks = room.writer.all("ack");
      assert.deepEqual(
        acks.map((a) => a.ref),
        range(1, CRASHES).map((n) => `c${n}`),
      );
      for (const ws of [room.writer, room.reader]) {
        const messages = ws.all("message");
        assert.deepEqual(
          messages.map((m) => m.seq),
          range(1, CRASHES),
        );
        assert.deepEqual(
          messages.map((m) => m.id),
          acks.map((a) => a.id),
        );
        assert.deepEqual(
          messages.map((m) => m.key),
          acks.map((a) => a.ref),
        );
        assert.equal(ws.all("group_state").length, 1, "no restart seen here");
        assert.equal(ws.all("error").length, 0);
      }
    }

    // With the window empty again, the budget allows DEFAULT_MAX_RESTARTS quick crashes...
    await clock.advance(DEFAULT_RESTART_WINDOW_MS);
    for (let crash = 1; crash <= DEFAULT_MAX_RESTARTS; crash++) {
      assert.equal(rooms.crash(crashing.group), true);
      for (const ws of [crashing.writer, crashing.reader]) {
        await ws.until(
          () => ws.count("group_state") === 1 + CRASHES + crash,
          "a fresh group_state",
        );
      }
    }
    // ...and one more crash within the window is one too many: the room is given up.
    assert.equal(rooms.crash(crashing.group), true);
    for (const ws of [crashing.writer, crashing.reader]) {
      const error = await ws.next("error");
      assert.equal(error.code, "room_unavailable");
      assert.equal(error.ref, undefined, "unsolicited");
      assert.equal(error.group, crashing.group, "names its group");
    }
    const refused = await say(crashing.writer, crashing.group, "refused");
    assert.equal(refused.code, "not_joined", "the given-up room let everyone go");
    const rejoined = await crashing.writer.request({ type: "join", group: crashing.group });
    assert.equal(rejoined.type, "group_state");
    assert.notEqual(rejoined.epoch, crashing.epoch, "a new room, a new epoch");
    assert.deepEqual(rejoined.messages, [], "what the old room held is gone");
    assert.equal((await say(crashing.writer, crashing.group, "fresh")).type, "ack");
    for (const room of calm) {
      assert.equal((await say(room.writer, room.group, "still")).type, "ack");
    }
    ctx.diagnostic(
      `${CRASHES} crashes with ${CALM_ROOMS} rooms carrying ${CRASHES * CALM_ROOMS} messages: ` +
        `${Math.round(loopMs)} ms (setting up the rooms ${Math.round(setUpMs)} ms, the whole test ` +
        `${Math.round(performance.now() - startedAtMs)} ms)`,
    );
  });
});

describe("chaos at the WebSocket edge", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway({ engine, env: LOUD, clients }, (started) => {
    t = started;
  });

  /** A group with its two members' sockets in the room. */
  async function busyRoom() {
    const { alice, bob, group } = await chatCast(t);
    const a = await joined(t, alice, group.id);
    const b = await joined(t, bob, group.id);
    clients.push(a.client, b.client);
    return { group: group.id, writer: a.client, reader: b.client, epoch: a.state.epoch };
  }

  test("100,000 malformed frames from many sockets: each answered, nothing crashes, chat goes on", async () => {
    const rooms = await Promise.all(Array.from({ length: 10 }, () => busyRoom()));
    const sockets = rooms.flatMap((room) => [room.writer, room.reader]);
    const random = mulberry32(0xc0ffee);
    const perSocket = 100_000 / sockets.length;
    const expectedRefs = new Map<WsClient, Set<string>>();

    for (const [index, ws] of sockets.entries()) {
      const refs = new Set<string>();
      expectedRefs.set(ws, refs);
      for (let i = 0; i < perSocket; i++) {
        const ref = `c${index}-${i}`;
        const malformed = malformedFrame(random, ref);
        if (typeof malformed === "string") {
          ws.sendRaw(malformed);
          if (carriesRef(malformed, ref)) refs.add(ref);
        } else ws.sendRaw(malformed, { binary: true });
      }
    }
    for (const ws of sockets) {
      assert.equal((await ws.request({ type: "heartbeat" }, 30_000)).type, "heartbeat_ack");
    }

    let answered = 0;
    for (const ws of sockets) {
      const refs = expectedRefs.get(ws) ?? new Set();
      const replies = new Map<string, number>();
      for (const frame of ws.received) {
        if (frame.ref !== undefined) replies.set(frame.ref, (replies.get(frame.ref) ?? 0) + 1);
      }
      for (const ref of refs) assert.equal(replies.get(ref), 1, `one reply to ${ref}`);
      answered += ws.all("error").length;
      assert.equal(ws.isClosed, false);
    }
    assert.equal(answered, 100_000, "every malformed frame got its invalid_frame error");

    for (const room of rooms) {
      const ack = await room.writer.request({
        type: "send",
        group: room.group,
        text: "after the storm",
        key: "after",
      });
      assert.equal(ack.type, "ack");
      await room.reader.next((f) => f.type === "message" && f.id === ack.id);
    }
  });
});

function seqsOf(ws: WsClient): number[] {
  return ws.all("message").map((frame) => frame.seq as number);
}

/** first, first + 1, …, last (empty when last < first). */
function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** Whether the gateway can read `ref` from this text (a JSON object with a valid ref). */
function carriesRef(text: string, ref: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      (parsed as { ref?: unknown }).ref === ref
    );
  } catch {
    return false;
  }
}

const NOT_A_UUID = ["", "x", "7c1e4a52", "7c1e4a52-1d2b-4c5e-9f00-0b9a8c7d6e5fz", 42, null, {}];
const WRONG_VALUES: unknown[] = [null, true, -1, 1.5, 1e300, "", [], {}, [1, [2, [3]]], "\u0000"];
const GROUP = "7c1e4a52-1d2b-4c5e-9f00-0b9a8c7d6e5f";

/** A frame the gateway must refuse as invalid_frame: text, or bytes for a binary frame. */
function malformedFrame(random: () => number, ref: string): string | Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  switch (Math.floor(random() * 9)) {
    case 0:
      return randomText(random, 200);
    case 1:
      return JSON.stringify({ type: "send", group: GROUP, text: "hi", key: "k", ref }).slice(
        0,
        1 + Math.floor(random() * 40),
      );
    case 2:
      return JSON.stringify(pick([[], [ref], 7, "join", null, true]));
    case 3:
      return JSON.stringify({ type: pick(["JOIN", "dance", "", 7, null, "__proto__"]), ref });
    case 4:
      return JSON.stringify({
        type: pick(["join", "leave", "typing_start"]),
        group: pick(NOT_A_UUID),
        ref,
      });
    case 5:
      return JSON.stringify({
        type: "send",
        group: GROUP,
        text: pick(WRONG_VALUES),
        key: "k",
        ref,
      });
    case 6:
      return JSON.stringify({ type: "heartbeat", idle: pick(WRONG_VALUES), ref, extra: 1 });
    case 7:
      return `{"type":"heartbeat","ref":${JSON.stringify(ref)},"__proto__":{"idle":true},"x":${"[".repeat(50)}${"]".repeat(50)}}`;
    default:
      return Buffer.from(randomText(random, 64));
  }
}

function randomText(random: () => number, maxLength: number): string {
  const alphabet = [...'abc{}[]":,\\\u0000é\u2028😀 '];
  let text = "";
  const length = Math.floor(random() * maxLength);
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/** A seeded PRNG, so a failure replays exactly. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
