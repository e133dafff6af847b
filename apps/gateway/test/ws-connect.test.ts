import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { call, RELAXED } from "./social-harness.ts";
import {
  chatCast,
  closeAll,
  eventually,
  type Frame,
  joined,
  useTestGateway,
  WsClient,
} from "./ws-client.ts";

for (const engine of testEngines()) {
  describe(`WebSocket upgrade and hello [${engine.name}]`, () => {
    let t: TestGateway;
    useTestGateway({ engine, env: RELAXED }, (started) => {
      t = started;
    });

    test("no session or a foreign Origin is refused at the upgrade; an unknown token gets 4001 before any hello", async () => {
      const { alice } = await chatCast(t);
      assert.equal(await WsClient.refusal(t), 401);
      assert.equal(await WsClient.refusal(t, alice.token, { origin: "https://evil.example" }), 403);
      assert.equal(
        await WsClient.refusal(t, "not-a-session-token-at-all"),
        CLOSE_CODES.sessionEnded,
      );
      await eventually(() => t.gateway.realtime.connectionCount === 0, "no socket is left");
    });

    test("the session cookie with the app's own Origin is accepted, as a browser sends it", async () => {
      const { alice } = await chatCast(t);
      const { client, hello } = await WsClient.open(t, alice.token, {
        asCookie: true,
        origin: t.origin,
      });
      try {
        assert.equal((hello.user as { id: string }).id, alice.id);
      } finally {
        await client.close();
      }
    });

    test("hello is the first frame: me, friends with online and lastSeen, groups with role, muted and present", async () => {
      const { alice, bob, carol, group } = await chatCast(t);
      const clients: WsClient[] = [];
      try {
        const bobSocket = await joined(t, bob, group.id);
        clients.push(bobSocket.client);
        const { client, hello } = await WsClient.open(t, alice.token);
        clients.push(client);

        assert.equal(client.received[0], hello, "hello comes first");
        assert.deepEqual(hello.user, {
          id: alice.id,
          displayName: alice.name,
          avatarUrl: null,
          presenceMode: "auto",
        });
        const friends = hello.friends as Array<{ id: string; online: boolean; lastSeen: unknown }>;
        assert.deepEqual(
          friends.map(({ id, online }) => ({ id, online })).sort(byId),
          [
            { id: bob.id, online: true },
            { id: carol.id, online: false },
          ].sort(byId),
        );
        assert.equal(typeof friends.find((f) => f.id === bob.id)?.lastSeen, "number");
        assert.equal(friends.find((f) => f.id === carol.id)?.lastSeen, null, "never seen");
        assert.deepEqual(hello.groups, [
          {
            id: group.id,
            name: group.name,
            kind: "group",
            role: "creator",
            muted: false,
            present: [bob.id],
            unread: 0,
            mentioned: false,
            lastActivityAt: null,
            preview: null,
          },
        ]);
        assert.deepEqual(hello.limits, {
          maxTextLength: 2000,
          maxMessages: 50,
          maxAgeMs: 86_400_000,
          messagesPerMinute: 30,
        });
        assert.equal(hello.heartbeatMs, 15_000);
        assert.equal(hello.serverTime, t.clock.nowMs);

        const bobHello = bobSocket.hello;
        assert.deepEqual(
          (bobHello.groups as Frame[]).map((g) => [g.role, g.muted]),
          [["member", false]],
        );
      } finally {
        await closeAll(clients);
      }
    });

    test("a direct chat is named after the other person", async () => {
      const { alice, carol } = await chatCast(t);
      const direct = await call<{ group: { id: string } }>(
        t,
        alice,
        "POST",
        `/api/direct/${carol.id}`,
      );
      assert.ok(direct.status === 200 || direct.status === 201, `status ${direct.status}`);
      const { client, hello } = await WsClient.open(t, carol.token);
      try {
        const groups = hello.groups as Frame[];
        assert.deepEqual(
          groups.map((g) => [g.id, g.kind, g.name]),
          [[direct.body.group.id, "direct", alice.name]],
        );
      } finally {
        await client.close();
      }
    });

    test("/health counts open connections and running rooms", async () => {
      const { alice, group } = await chatCast(t);
      const before = await health(t);
      const { client } = await joined(t, alice, group.id);
      try {
        const during = await health(t);
        assert.equal(during.connections, before.connections + 1);
        assert.equal(during.rooms, before.rooms + 1);
      } finally {
        await client.close();
      }
    });

    test("GET /ws without an upgrade is an ordinary 404, not a hang", async () => {
      const response = await fetch(`${t.base}/ws`);
      assert.equal(response.status, 404);
      await response.arrayBuffer();
    });
  });
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : 1;
}

/** What /health counts, added up over every gateway (both of a cluster pair). */
async function health(t: TestGateway): Promise<{ connections: number; rooms: number }> {
  const total = { connections: 0, rooms: 0 };
  for (const base of t.bases ?? [t.base]) {
    const response = await fetch(`${base}/health`);
    const body = (await response.json()) as { connections: number; rooms: number };
    total.connections += body.connections;
    total.rooms += body.rooms;
  }
  return total;
}
