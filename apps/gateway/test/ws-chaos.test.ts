import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_MAX_RESTARTS } from "@clofri/actors";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { RELAXED } from "./social-harness.ts";
import { chatCast, closeAll, joined, type WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const LOUD = { ...RELAXED, MESSAGES_PER_MINUTE: "1000000", MESSAGE_BURST_PER_SECOND: "1000000" };

describe("chaos at the WebSocket edge", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  before(async () => {
    if (!engine) throw new Error("expected a test engine");
    t = await startTestGateway(engine, LOUD, { enableTestHooks: true });
  });
  after(async () => {
    await closeAll(clients);
    await t.close();
  });

  /** A group with its two members' sockets in the room. */
  async function busyRoom() {
    const { alice, bob, group } = await chatCast(t);
    const a = await joined(t, alice, group.id);
    const b = await joined(t, bob, group.id);
    clients.push(a.client, b.client);
    return { group: group.id, writer: a.client, reader: b.client, epoch: a.state.epoch };
  }

  test("one room crashing again and again never touches the others; seq stays contiguous", async () => {
    const crashing = await busyRoom();
    const calm = [await busyRoom(), await busyRoom()];
    const { rooms } = t.gateway.realtime;
    let n = 0;
    const say = (room: { group: string; writer: WsClient }) =>
      room.writer.request({ type: "send", group: room.group, text: `m${n}`, key: `k${n++}` });

    for (let round = 1; round <= DEFAULT_MAX_RESTARTS; round++) {
      assert.equal(rooms.crash(crashing.group), true);
      const replies = await Promise.all([say(crashing), ...calm.flatMap((r) => [say(r), say(r)])]);
      assert.deepEqual(
        replies.map((reply) => reply.type),
        replies.map(() => "ack"),
        "queued sends are handled by the restarted room",
      );
      for (const ws of [crashing.writer, crashing.reader]) {
        const fresh = await ws.next((f) => f.type === "group_state" && f.ref === undefined);
        assert.equal(fresh.epoch, crashing.epoch, "a restart keeps the epoch");
      }
    }
    const last = await say(crashing);
    await crashing.reader.next((f) => f.type === "message" && f.id === last.id);
    assert.deepEqual(seqs(crashing.reader), [1, 2, 3, 4]);
    for (const room of calm) {
      await room.reader.next((f) => f.type === "message" && f.seq === 2 * DEFAULT_MAX_RESTARTS);
      assert.deepEqual(seqs(room.reader), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(room.reader.all("group_state").length, 1, "no restart seen here");
    }

    // One crash more than the restart intensity allows: the room is given up.
    assert.equal(rooms.crash(crashing.group), true);
    for (const ws of [crashing.writer, crashing.reader]) {
      const error = await ws.next("error");
      assert.equal(error.code, "room_unavailable");
      assert.equal(error.ref, undefined, "unsolicited");
    }
    const refused = await say(crashing);
    assert.equal(refused.code, "not_joined", "the given-up room let everyone go");
    const rejoined = await crashing.writer.request({ type: "join", group: crashing.group });
    assert.equal(rejoined.type, "group_state");
    assert.notEqual(rejoined.epoch, crashing.epoch, "a new room, a new epoch");
    const fresh = await say(crashing);
    assert.equal(fresh.type, "ack");
    for (const room of calm) assert.equal((await say(room)).type, "ack");
  });

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

function seqs(ws: WsClient): number[] {
  return ws.all("message").map((frame) => frame.seq as number);
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
