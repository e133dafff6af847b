import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { mintFixtures, TEST_ADMIN_TOKEN } from "./fixtures-client.ts";
import type { TestGateway } from "./harness.ts";
import { RELAXED } from "./social-harness.ts";
import { type Closed, closeAll, useTestGateway, WsClient } from "./ws-client.ts";

const SOCKETS = 600;
const IN_FLIGHT = 60;
const ROOM_SIZE = 13;
const ENV = {
  ...RELAXED,
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  MESSAGES_PER_MINUTE: "100000",
  MESSAGE_BURST_PER_SECOND: "10000",
};

for (const engine of testEngines()) {
  describe(`sockets opening in a churn [${engine.name}]`, () => {
    let t: TestGateway;
    useTestGateway({ engine, env: ENV }, (started) => {
      t = started;
    });

    test(`${SOCKETS} connects, ${IN_FLIGHT} at a time, beside a busy room: every socket the server accepts stays open`, async () => {
      const { users, groups } = await mintFixtures(t, {
        users: SOCKETS + ROOM_SIZE,
        groups: [{ name: "busy", members: Array.from({ length: ROOM_SIZE }, (_, i) => i) }],
      });
      const group = groups[0];
      assert.ok(group);
      const opened: WsClient[] = [];
      const dropped: Closed[] = [];
      let isChurning = true;
      try {
        const room = await Promise.all(
          users.slice(0, ROOM_SIZE).map(async (user) => {
            const { client } = await WsClient.open(t, user.token);
            opened.push(client);
            await client.request({ type: "join", group: group.id });
            return client;
          }),
        );
        // The room chats while the others connect: writes on open sockets and upgrades interleave.
        const chat = Promise.all(
          room.map(async (client, i) => {
            for (let n = 0; isChurning; n++) {
              await client.request({ type: "send", group: group.id, text: "hi", key: `${i}-${n}` });
            }
          }),
        );
        let next = ROOM_SIZE;
        const connectOne = async () => {
          while (next < users.length) {
            const user = users[next++];
            assert.ok(user);
            const client = await WsClient.connect(t, user.token);
            opened.push(client);
            try {
              await client.next("hello");
              await client.request({ type: "heartbeat" });
            } catch {
              dropped.push(await client.closed);
            }
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, connectOne));
        isChurning = false;
        await chat;
        assert.deepEqual(dropped, [], "no accepted socket is closed by the server");
        assert.equal(t.gateway.realtime.connectionCount, SOCKETS + ROOM_SIZE);
      } finally {
        isChurning = false;
        await closeAll(opened);
      }
    });

    test("a handshake that trips uWS 20.30's async-upgrade misread (Connection: close) keeps its socket", async () => {
      const { users } = await mintFixtures(t, { users: 1 });
      const token = users[0]?.token;
      assert.ok(token);
      const outcome = await rawHandshake(t.gateway.port, token);
      assert.match(outcome.head, /^HTTP\/1\.1 101 /);
      assert.equal(outcome.isClosedByServer, false, "the socket is still open after its hello");
      assert.match(outcome.firstFrame, /"type":"hello"/);
    });
  });
}

/**
 * A raw handshake saying `Connection: close`: uWS 20.30 then closes a socket upgraded after an
 * await every time (uNetworking/uWebSockets#1929), where a real client hits it by chance.
 */
function rawHandshake(
  port: number,
  token: string,
): Promise<{ head: string; firstFrame: string; isClosedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    const finish = (isClosedByServer: boolean) => {
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      resolve({
        head: end === -1 ? text : text.slice(0, end),
        firstFrame: end === -1 ? "" : text.slice(end + 4),
        isClosedByServer,
      });
    };
    socket.on("connect", () => {
      socket.write(
        [
          "GET /ws HTTP/1.1",
          "Host: 127.0.0.1",
          "Upgrade: websocket",
          "Connection: close",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Version: 13",
          `Authorization: Bearer ${token}`,
          "",
          "",
        ].join("\r\n"),
      );
    });
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      // The hello arrived: ask for a heartbeat's reply to prove the socket still works.
      if (received.includes('"hello"')) {
        socket.removeAllListeners("close");
        socket.once("close", () => finish(true));
        socket.write(maskedText('{"type":"heartbeat","ref":"h"}'));
      }
      if (received.includes('"heartbeat_ack"')) {
        socket.removeAllListeners("close");
        socket.destroy();
        finish(false);
      }
    });
    socket.once("close", () => finish(true));
  });
}

/** One masked text frame, as a client must send it (RFC 6455 §5.3). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = payload.map((byte, i) => byte ^ (mask[i % 4] as number));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}
