import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { createGroup, RELAXED } from "./social-harness.ts";
import { chatCast, eventually, joined, useTestGateway, type WsClient } from "./ws-client.ts";

const [engine] = testEngines();

// The room limits that the environment sets (README, "Configuration"), seen from a client.
describe("room limits from the environment", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway(
    {
      engine,
      env: {
        ...RELAXED,
        MAX_TEXT_LENGTH: "10",
        MAX_ROOMS: "1",
        ROOM_MAX_RESTARTS: "0",
        ROOM_LINGER_MS: "0",
      },
      options: { enableTestHooks: true },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  test("MAX_TEXT_LENGTH is announced in hello and enforced on send", async () => {
    const { alice, group } = await chatCast(t);
    const { client, hello } = await joined(t, alice, group.id);
    clients.push(client);
    assert.equal((hello.limits as { maxTextLength: number }).maxTextLength, 10);
    const fits = await client.request({
      type: "send",
      group: group.id,
      text: "ten chars!",
      key: "a",
    });
    assert.equal(fits.type, "ack");
    const tooLong = await client.request({
      type: "send",
      group: group.id,
      text: "eleven chars",
      key: "b",
    });
    assert.equal(tooLong.type, "error");
    assert.equal(tooLong.code, "text_invalid");
    await client.request({ type: "leave", group: group.id });
    await eventually(() => t.gateway.realtime.roomCount === 0, "the empty room stopped");
  });

  test("MAX_ROOMS bounds the rooms running at once; ROOM_MAX_RESTARTS=0 gives a room up at its first crash", async () => {
    const { alice, bob, group } = await chatCast(t);
    const other = await createGroup(t, alice, [bob], "Porch");
    const { client } = await joined(t, alice, group.id);
    clients.push(client);
    const refused = await client.request({ type: "join", group: other.id });
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "room_unavailable");

    assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
    assert.equal((await client.next("error")).code, "room_unavailable", "given up at once");
    // The room is gone, so the other group's room can start.
    const state = await client.request({ type: "join", group: other.id });
    assert.equal(state.type, "group_state");
    await client.request({ type: "leave", group: other.id });
    await eventually(() => t.gateway.realtime.roomCount === 0, "the empty room stopped");
  });
});
