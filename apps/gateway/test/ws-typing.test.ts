import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { befriend, createGroup, LOUD, newPeople } from "./social-harness.ts";
import { type Frame, joined, useTestGateway, type WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const TYPING_TIMEOUT_MS = 3_000;

// Typing expiry and the one-per-second forwarding run on the rooms' clock, a ManualClock here:
// the indicator lapses when the test moves it, never by waiting.

describe("typing over the WebSocket", () => {
  let t: TestGateway;
  const clock = new ManualClock(1_000_000);
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: LOUD,
      options: { clock },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  /** Alice watches, Bob types, Carol sends markers: all three joined. */
  async function room() {
    const [alice, bob, carol] = await newPeople(t, 3);
    if (!alice || !bob || !carol) throw new Error("expected three people");
    await befriend(t, alice, bob, carol);
    const group = (await createGroup(t, alice, [bob, carol])).id;
    const aliceWs = (await joined(t, alice, group)).client;
    const bobWs = (await joined(t, bob, group)).client;
    const carolWs = (await joined(t, carol, group)).client;
    clients.push(aliceWs, bobWs, carolWs);
    let markers = 0;
    /**
     * Everything the room published before now has reached Alice: Carol's message goes out
     * on the same room topic, after it.
     */
    async function settled(): Promise<void> {
      const key = `marker-${++markers}`;
      const ack = await carolWs.request({ type: "send", group, text: key, key });
      await aliceWs.next((f) => f.type === "message" && f.id === ack.id);
    }
    const typing = () => bobWs.request({ type: "typing_start", group });
    return { alice, bob, group, aliceWs, bobWs, settled, typing };
  }

  function about(type: string, userId: string) {
    return (frame: Frame) => frame.type === type && frame.userId === userId;
  }

  test("typing_start shows user_typing to the others; it lapses 3 s after the last one", async () => {
    const { bob, group, aliceWs, settled, typing } = await room();
    assert.equal((await typing()).type, "ack");
    assert.deepEqual(await aliceWs.next(about("user_typing", bob.id)), {
      type: "user_typing",
      group,
      userId: bob.id,
      displayName: bob.name,
    });

    await clock.advance(TYPING_TIMEOUT_MS - 1);
    await settled();
    assert.equal(aliceWs.all("user_stopped_typing").length, 0, "still typing at 2,999 ms");
    await clock.advance(1);
    assert.deepEqual(await aliceWs.next(about("user_stopped_typing", bob.id)), {
      type: "user_stopped_typing",
      group,
      userId: bob.id,
    });

    // Each typing_start re-arms the expiry: 3 s after the last one, not after the first.
    await typing();
    await aliceWs.next(about("user_typing", bob.id));
    await clock.advance(2_000);
    await typing();
    await clock.advance(2_000);
    await settled();
    assert.equal(
      aliceWs.all("user_stopped_typing").length,
      1,
      "4 s after the first, 2 s after the last",
    );
    await clock.advance(1_000);
    await aliceWs.next(about("user_stopped_typing", bob.id));

    const state = await aliceWs.request({ type: "join", group });
    const bobInRoom = (state.members as Frame[]).find((m) => m.userId === bob.id);
    assert.equal(bobInRoom?.typing, false, "group_state agrees");
  });

  test("the typist is not told of their own typing (PROTOCOL: the others get user_typing)", async () => {
    const { bob, group, aliceWs, bobWs, settled, typing } = await room();
    await typing();
    await aliceWs.next(about("user_typing", bob.id));
    await bobWs.request({ type: "typing_stop", group });
    await aliceWs.next(about("user_stopped_typing", bob.id));
    await settled();
    assert.deepEqual(
      bobWs.received.filter((f) => f.type === "user_typing" || f.type === "user_stopped_typing"),
      [],
    );
  });

  test("at most one user_typing a second per user: a burst of typing_start is one event", async () => {
    const { bob, group, aliceWs, bobWs, settled, typing } = await room();
    for (let i = 0; i < 5; i++) assert.equal((await typing()).type, "ack");
    await settled();
    assert.equal(aliceWs.all("user_typing").length, 1, "five within a millisecond");

    await clock.advance(500);
    await typing();
    await clock.advance(499);
    await typing();
    await settled();
    assert.equal(aliceWs.all("user_typing").length, 1, "still within the second");

    await clock.advance(1);
    await typing();
    await aliceWs.next(about("user_typing", bob.id));
    await aliceWs.next(about("user_typing", bob.id));
    await settled();
    assert.equal(aliceWs.all("user_typing").length, 2, "one more once the second is over");
    assert.equal(aliceWs.all("user_stopped_typing").length, 0, "typing all along");

    // Sending ends the indicator at once.
    const ack = await bobWs.request({ type: "send", group, text: "done", key: "done" });
    await aliceWs.next(about("user_stopped_typing", bob.id));
    await aliceWs.next((f) => f.type === "message" && f.id === ack.id);
  });
});
