import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  errorCode,
  framesByRecipient,
  newPerson,
  type Person,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";
import { WsClient } from "./ws-client.ts";

// Blocking (PROTOCOL 1.1, "Presence modes, blocking, leaving for good"): GET, POST /api/blocks,
// DELETE /api/blocks/:userId.

interface BlockedBody {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  blockedAt: number;
}

for (const engine of testEngines()) {
  describe(`blocks [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const block = (me: Person, other: Person) =>
      call<{ blocked: BlockedBody }>(t, me, "POST", "/api/blocks", { userId: other.id });
    const blocksOf = async (me: Person) =>
      (await call<{ blocks: BlockedBody[] }>(t, me, "GET", "/api/blocks")).body.blocks;
    const ask = (from: Person, code: string) =>
      call(t, from, "POST", "/api/friends/requests", { code });
    /** Alex and Sam, friends with a direct chat. */
    const friendsWithDirectChat = async () => {
      const alex = await newPerson(t, "Alex");
      const sam = await newPerson(t, "Sam");
      await befriend(t, alex, sam);
      const direct = await call<{ group: { id: string } }>(
        t,
        alex,
        "POST",
        `/api/direct/${sam.id}`,
      );
      assert.equal(direct.status, 201);
      return { alex, sam, directId: direct.body.group.id };
    };

    test("every blocks endpoint needs a session", async () => {
      const id = "00000000-0000-4000-8000-000000000000";
      for (const [method, path] of [
        ["GET", "/api/blocks"],
        ["POST", "/api/blocks"],
        ["DELETE", `/api/blocks/${id}`],
      ] as const) {
        const reply = await call(t, undefined, method, path, method === "POST" ? {} : undefined);
        assert.equal(reply.status, 401, `${method} ${path}`);
      }
    });

    test("a blocked person's request fails exactly as an unknown code does", async () => {
      const alex = await newPerson(t, "Alex");
      const sam = await newPerson(t, "Sam");
      t.clock.nowMs += 1_000;
      const blocked = await block(alex, sam);
      assert.equal(blocked.status, 201);
      assert.deepEqual(blocked.body.blocked, {
        id: sam.id,
        displayName: "Sam",
        avatarUrl: null,
        blockedAt: t.clock.nowMs,
      });
      const unknown = await ask(sam, "zzzzzzzz");
      const refused = await ask(sam, alex.code);
      assert.equal(refused.status, unknown.status);
      assert.deepEqual(refused.body, unknown.body);
      assert.equal(errorCode(refused.body), "not_found");

      const mine = await ask(alex, sam.code);
      assert.equal(mine.status, 409, "the blocker is told to unblock first");
      assert.deepEqual(
        (await blocksOf(alex)).map((b) => b.id),
        [sam.id],
      );
      assert.equal((await block(alex, sam)).status, 200, "blocking again changes nothing");

      assert.equal((await call(t, alex, "DELETE", `/api/blocks/${sam.id}`)).status, 204);
      assert.deepEqual(await blocksOf(alex), []);
      assert.equal((await ask(sam, alex.code)).status, 201, "found again once unblocked");
      assert.equal((await call(t, alex, "DELETE", `/api/blocks/${sam.id}`)).status, 404);
    });

    test("blocking ends a friendship and the direct chat, telling both as a removal does", async () => {
      const { alex, sam } = await friendsWithDirectChat();
      const events = recordEvents(t);
      assert.equal((await block(alex, sam)).status, 201);
      const [removed, deleted, ...rest] = events.take();
      events.stop();
      assert.equal(rest.length, 0);
      assert.deepEqual(framesByRecipient(removed), {
        [alex.id]: { type: "friend_removed", userId: sam.id },
        [sam.id]: { type: "friend_removed", userId: alex.id },
      });
      assert.equal(deleted?.type, "group_deleted");
      const friends = await call<{ friends: unknown[] }>(t, sam, "GET", "/api/friends");
      assert.deepEqual(friends.body.friends, []);
      const again = await call(t, sam, "POST", `/api/direct/${alex.id}`);
      assert.equal(again.status, 404, "no direct chat between us");

      await call(t, alex, "DELETE", `/api/blocks/${sam.id}`);
      const after = await call<{ friends: unknown[] }>(t, alex, "GET", "/api/friends");
      assert.deepEqual(after.body.friends, [], "no friendship comes back");
    });

    test("over the sockets: both see a removal and the direct chat go, nothing more", async () => {
      const { alex, sam, directId } = await friendsWithDirectChat();
      const alexWs = (await WsClient.open(t, alex.token)).client;
      const samWs = (await WsClient.open(t, sam.token)).client;
      try {
        await alexWs.next((f) => f.type === "friend_online" && f.userId === sam.id);
        assert.equal((await block(alex, sam)).status, 201);
        assert.deepEqual(await samWs.next("friend_removed"), {
          type: "friend_removed",
          userId: alex.id,
        });
        assert.deepEqual(await samWs.next("group_deleted"), {
          type: "group_deleted",
          group: directId,
        });
        assert.deepEqual(await alexWs.next("friend_removed"), {
          type: "friend_removed",
          userId: sam.id,
        });
        await samWs.request({ type: "heartbeat" });
        assert.deepEqual(
          samWs.received.map((f) => f.type).filter((type) => type !== "heartbeat_ack"),
          ["hello", "friend_removed", "group_deleted"],
          'no frame says "blocked"',
        );
      } finally {
        await alexWs.terminate();
        await samWs.terminate();
      }
    });

    test("blocking drops a pending request either way: theirs as ignored, mine as cancelled", async () => {
      const alex = await newPerson(t, "Alex");
      const sam = await newPerson(t, "Sam");
      const kim = await newPerson(t, "Kim");
      const theirs = await ask(sam, alex.code);
      const mine = await ask(alex, kim.code);
      const events = recordEvents(t);
      await block(alex, sam);
      await block(alex, kim);
      const [ignored, cancelled, ...rest] = events.take();
      events.stop();
      assert.equal(rest.length, 0);
      const theirId = (theirs.body as { request: { id: string } }).request.id;
      const myId = (mine.body as { request: { id: string } }).request.id;
      assert.deepEqual(framesByRecipient(ignored), {
        [alex.id]: { type: "friend_request_removed", requestId: theirId },
      });
      assert.deepEqual(framesByRecipient(cancelled), {
        [alex.id]: { type: "friend_request_removed", requestId: myId },
        [kim.id]: { type: "friend_request_removed", requestId: myId },
      });
      const requests = await call<{ incoming: unknown[]; outgoing: unknown[] }>(
        t,
        alex,
        "GET",
        "/api/friends/requests",
      );
      assert.deepEqual(requests.body, { incoming: [], outgoing: [] });
    });

    test("blocking needs a real other person", async () => {
      const alex = await newPerson(t, "Alex");
      const self = await call(t, alex, "POST", "/api/blocks", { userId: alex.id });
      assert.equal(self.status, 400);
      const nobody = await call(t, alex, "POST", "/api/blocks", {
        userId: "00000000-0000-4000-8000-000000000000",
      });
      assert.equal(nobody.status, 404);
      const malformed = await call(t, alex, "POST", "/api/blocks", { userId: "x" });
      assert.equal(errorCode(malformed.body), "invalid_request");
    });
  });
}
