import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { LOUD, type Person } from "./social-harness.ts";
import { chatCast, eventually, type Frame, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const RING_MAX_MESSAGES = 5;
const ROOM_LINGER_MS = 120_000;
const HOUR_MS = 3_600_000;
const MAX_AGE_MS = 24 * HOUR_MS;

function seqs(messages: unknown): number[] {
  return (messages as Frame[]).map((message) => message.seq as number);
}

function send(ws: WsClient, group: string, key: string) {
  return ws.request({ type: "send", group, text: `text of ${key}`, key });
}

// Rooms' timers (linger, grace) run on a ManualClock; message age runs on the harness clock
// (`t.clock.nowMs`), which also drives heartbeat timeouts, so no socket is open while it jumps.

describe("resume over the WebSocket", () => {
  let t: TestGateway;
  const clock = new ManualClock(1_000_000);
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: { ...LOUD, RING_MAX_MESSAGES: String(RING_MAX_MESSAGES) },
      options: { clock },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  test("same epoch and afterSeq: only the newer retained messages, expired counts what is gone", async () => {
    const { alice, bob, group } = await chatCast(t);
    const aliceWs = (await joined(t, alice, group.id)).client;
    const bobSide = await joined(t, bob, group.id);
    clients.push(aliceWs, bobSide.client);
    const epoch = bobSide.state.epoch;
    for (let n = 1; n <= 3; n++) await send(aliceWs, group.id, `m${n}`);
    await bobSide.client.next((f) => f.type === "message" && f.seq === 3);
    assert.deepEqual(seqs(bobSide.client.all("message")), [1, 2, 3]);

    // Bob's network drops; seven more come, and the ring (5) keeps only 6…10.
    await bobSide.client.terminate();
    await eventually(() => t.gateway.realtime.connectionsOf(bob.id) === 0, "the drop is seen");
    for (let n = 4; n <= 10; n++) await send(aliceWs, group.id, `m${n}`);

    const { client: bobWs } = await WsClient.open(t, bob.token);
    clients.push(bobWs);
    const resumed = await bobWs.request({ type: "join", group: group.id, epoch, afterSeq: 3 });
    assert.equal(resumed.type, "group_state");
    assert.equal(resumed.epoch, epoch);
    assert.deepEqual(seqs(resumed.messages), [6, 7, 8, 9, 10]);
    assert.deepEqual(
      (resumed.messages as Frame[]).map((m) => m.text),
      ["text of m6", "text of m7", "text of m8", "text of m9", "text of m10"],
    );
    assert.equal(resumed.expired, 2, "4 and 5 were missed and are gone");

    const caughtUp = await bobWs.request({ type: "join", group: group.id, epoch, afterSeq: 8 });
    assert.deepEqual(seqs(caughtUp.messages), [9, 10]);
    assert.equal(caughtUp.expired, 0);
    const upToDate = await bobWs.request({ type: "join", group: group.id, epoch, afterSeq: 10 });
    assert.deepEqual(upToDate.messages, []);
    assert.equal(upToDate.expired, 0);
    const plain = await bobWs.request({ type: "join", group: group.id });
    assert.deepEqual(seqs(plain.messages), [6, 7, 8, 9, 10], "no afterSeq: all retained");
    assert.equal(plain.expired, 0);

    // What comes next reaches the resumed socket live, seq going on.
    await send(aliceWs, group.id, "m11");
    assert.equal((await bobWs.next("message")).seq, 11);
  });

  test("another epoch (the room lingered out and started anew): everything retained, expired 0", async () => {
    const { alice, bob, group } = await chatCast(t);
    const aliceWs = (await joined(t, alice, group.id)).client;
    const bobSide = await joined(t, bob, group.id);
    clients.push(aliceWs, bobSide.client);
    const oldEpoch = bobSide.state.epoch;
    for (let n = 1; n <= 3; n++) await send(aliceWs, group.id, `old${n}`);
    await bobSide.client.next((f) => f.type === "message" && f.seq === 3);

    const roomsBefore = t.gateway.realtime.roomCount;
    await aliceWs.close();
    await bobSide.client.close();
    await eventually(
      () => t.gateway.realtime.presence.presentIn(group.id).length === 0,
      "the room is empty",
    );
    await clock.advance(ROOM_LINGER_MS - 1);
    assert.equal(t.gateway.realtime.roomCount, roomsBefore, "still lingering");
    await clock.advance(1);
    await eventually(() => t.gateway.realtime.roomCount === roomsBefore - 1, "the room stopped");

    const aliceAgain = await joined(t, alice, group.id);
    clients.push(aliceAgain.client);
    assert.notEqual(aliceAgain.state.epoch, oldEpoch, "a new room, a new epoch");
    assert.deepEqual(aliceAgain.state.messages, [], "the old room's messages are gone");
    for (let n = 1; n <= 2; n++) await send(aliceAgain.client, group.id, `new${n}`);

    const { client: bobWs } = await WsClient.open(t, bob.token);
    clients.push(bobWs);
    const resumed = await bobWs.request({
      type: "join",
      group: group.id,
      epoch: oldEpoch,
      afterSeq: 3,
    });
    assert.equal(resumed.epoch, aliceAgain.state.epoch);
    assert.deepEqual(seqs(resumed.messages), [1, 2], "all of the new epoch, seq from 1");
    assert.deepEqual(
      (resumed.messages as Frame[]).map((m) => m.key),
      ["new1", "new2"],
    );
    assert.equal(resumed.expired, 0, "nothing can be said of another epoch");
  });
});

describe("the ring buffer's age limit over the WebSocket", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway(
    { engine, env: LOUD, options: { clock: new ManualClock(1_000_000) }, clients },
    (started) => {
      t = started;
    },
  );

  /** A socket that lives only between two jumps of the wall clock. */
  async function visit<T>(
    person: Person,
    group: string,
    act: (ws: WsClient, state: Frame) => Promise<T>,
  ) {
    const side = await joined(t, person, group);
    clients.push(side.client);
    try {
      return await act(side.client, side.state);
    } finally {
      await side.client.close();
    }
  }

  test("messages older than 24 h are dropped, counted as expired, and their keys forgotten", async () => {
    const { alice, bob, group } = await chatCast(t);
    const first = await visit(alice, group.id, async (ws, state) => {
      const ack = await send(ws, group.id, "first");
      return { ack, epoch: state.epoch as string };
    });
    t.clock.nowMs += 12 * HOUR_MS;
    await visit(alice, group.id, (ws) => send(ws, group.id, "second"));

    t.clock.nowMs += 12 * HOUR_MS; // "first" is exactly 24 h old: still retained
    await visit(bob, group.id, async (_ws, state) => {
      assert.deepEqual(seqs(state.messages), [1, 2]);
    });
    t.clock.nowMs += 1; // now it is past the limit
    await visit(bob, group.id, async (ws, state) => {
      assert.equal(state.epoch, first.epoch, "the room lives on (linger runs on the room clock)");
      assert.deepEqual(seqs(state.messages), [2]);
      assert.equal(state.expired, 0);
      const resumed = await ws.request({
        type: "join",
        group: group.id,
        epoch: first.epoch,
        afterSeq: 0,
      });
      assert.deepEqual(seqs(resumed.messages), [2]);
      assert.equal(resumed.expired, 1, "seq 1 aged out");
    });

    // The key of an expired message is forgotten with it: the same key is a new message.
    const again = await visit(alice, group.id, (ws) => send(ws, group.id, "first"));
    assert.equal(again.type, "ack");
    assert.notEqual(again.id, first.ack.id);

    t.clock.nowMs += MAX_AGE_MS + 1; // "second" and the resent "first" are past the limit
    await visit(bob, group.id, async (ws, state) => {
      assert.deepEqual(state.messages, []);
      const resumed = await ws.request({
        type: "join",
        group: group.id,
        epoch: first.epoch,
        afterSeq: 1,
      });
      assert.deepEqual(resumed.messages, []);
      assert.equal(resumed.expired, 2, "seq 2 and 3 aged out");
    });
  });
});
