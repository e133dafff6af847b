import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { PresenceReader } from "../src/social/presence.ts";
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

interface FriendBody {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  online: boolean;
  lastSeen: number | null;
}
interface RequestsBody {
  incoming: Array<{ id: string; from: { id: string; displayName: string }; createdAt: number }>;
  outgoing: Array<{ id: string; to: { id: string; displayName: string }; createdAt: number }>;
}
type RequestReply = { request: RequestsBody["outgoing"][number] } | { friend: FriendBody };

for (const engine of testEngines()) {
  describe(`friends [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const ask = (from: Person, code: string) =>
      call<RequestReply>(t, from, "POST", "/api/friends/requests", { code });
    const requestsOf = (person: Person) =>
      call<RequestsBody>(t, person, "GET", "/api/friends/requests");
    const friendsOf = async (person: Person) => {
      const reply = await call<{ friends: FriendBody[] }>(t, person, "GET", "/api/friends");
      assert.equal(reply.status, 200);
      return reply.body.friends;
    };

    test("every friends endpoint needs a session", async () => {
      const id = "00000000-0000-4000-8000-000000000000";
      for (const [method, path] of [
        ["GET", "/api/friends"],
        ["GET", "/api/friends/code"],
        ["POST", "/api/friends/code/rotate"],
        ["POST", "/api/friends/requests"],
        ["GET", "/api/friends/requests"],
        ["POST", `/api/friends/requests/${id}/accept`],
        ["POST", `/api/friends/requests/${id}/ignore`],
        ["DELETE", `/api/friends/requests/${id}`],
        ["DELETE", `/api/friends/${id}`],
      ] as const) {
        const reply = await call(t, undefined, method, path);
        assert.equal(reply.status, 401, `${method} ${path}`);
      }
    });

    test("a request by code reaches only the addressee, and both sides list it", async () => {
      const [alex, sam] = [await newPerson(t, "Alex"), await newPerson(t, "Sam")];
      const events = recordEvents(t);
      try {
        const sent = await ask(alex, sam.code);
        assert.equal(sent.status, 201);
        assert.ok("request" in sent.body);
        const request = sent.body.request;
        assert.deepEqual(request.to, { id: sam.id, displayName: "Sam", avatarUrl: null });
        assert.equal(request.createdAt > 0, true);

        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.equal(event?.type, "friend_request");
        assert.deepEqual(framesByRecipient(event), {
          [sam.id]: {
            type: "friend_request",
            request: {
              id: request.id,
              from: { id: alex.id, displayName: "Alex", avatarUrl: null },
            },
          },
        });

        const samSees = await requestsOf(sam);
        assert.deepEqual(samSees.body.outgoing, []);
        assert.deepEqual(
          samSees.body.incoming.map((r) => [r.id, r.from.id, r.from.displayName]),
          [[request.id, alex.id, "Alex"]],
        );
        const alexSees = await requestsOf(alex);
        assert.deepEqual(alexSees.body.incoming, []);
        assert.deepEqual(
          alexSees.body.outgoing.map((r) => [r.id, r.to.id]),
          [[request.id, sam.id]],
        );
      } finally {
        events.stop();
      }
    });

    test("accepting makes both friends and tells both, each about the other", async () => {
      const [alex, sam] = [await newPerson(t, "Alex"), await newPerson(t, "Sam")];
      const sent = await ask(alex, sam.code);
      assert.ok("request" in sent.body);
      const id = sent.body.request.id;
      const events = recordEvents(t);
      try {
        assert.equal(
          (await call(t, alex, "POST", `/api/friends/requests/${id}/accept`)).status,
          404,
        );
        const accepted = await call<{ friend: FriendBody }>(
          t,
          sam,
          "POST",
          `/api/friends/requests/${id}/accept`,
        );
        assert.equal(accepted.status, 200);
        assert.deepEqual(accepted.body.friend, {
          id: alex.id,
          displayName: "Alex",
          avatarUrl: null,
          online: false,
          lastSeen: null,
          status: "offline",
        });
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.equal(event?.type, "friend_added");
        assert.deepEqual(framesByRecipient(event), {
          [sam.id]: { type: "friend_added", friend: accepted.body.friend },
          [alex.id]: {
            type: "friend_added",
            friend: {
              id: sam.id,
              displayName: "Sam",
              avatarUrl: null,
              online: false,
              lastSeen: null,
              status: "offline",
            },
          },
        });
        assert.deepEqual(
          (await friendsOf(alex)).map((f) => f.id),
          [sam.id],
        );
        assert.deepEqual(
          (await friendsOf(sam)).map((f) => f.id),
          [alex.id],
        );
        assert.deepEqual((await requestsOf(sam)).body, { incoming: [], outgoing: [] });
        const again = await call(t, sam, "POST", `/api/friends/requests/${id}/accept`);
        assert.equal(again.status, 404);
      } finally {
        events.stop();
      }
    });

    test("ignoring drops the request quietly (only my own tabs hear of it); the requester may ask again", async () => {
      const [alex, sam] = [await newPerson(t), await newPerson(t)];
      const sent = await ask(alex, sam.code);
      assert.ok("request" in sent.body);
      const id = sent.body.request.id;
      const events = recordEvents(t);
      try {
        assert.equal(
          (await call(t, alex, "POST", `/api/friends/requests/${id}/ignore`)).status,
          404,
        );
        assert.equal(
          (await call(t, sam, "POST", `/api/friends/requests/${id}/ignore`)).status,
          204,
        );
        const removed = { type: "friend_request_removed", requestId: id } as const;
        assert.deepEqual(events.take(), [
          { ...removed, deliveries: [{ userId: sam.id, frame: removed }] },
        ]);
        assert.deepEqual((await requestsOf(sam)).body.incoming, []);
        assert.deepEqual((await requestsOf(alex)).body.outgoing, []);
        assert.equal(
          (await call(t, sam, "POST", `/api/friends/requests/${id}/ignore`)).status,
          404,
        );
        assert.equal((await ask(alex, sam.code)).status, 201);
      } finally {
        events.stop();
      }
    });

    test("only the requester can cancel a request", async () => {
      const [alex, sam] = [await newPerson(t), await newPerson(t)];
      const sent = await ask(alex, sam.code);
      assert.ok("request" in sent.body);
      const path = `/api/friends/requests/${sent.body.request.id}`;
      assert.equal((await call(t, sam, "DELETE", path)).status, 404);
      assert.equal((await call(t, alex, "DELETE", path)).status, 204);
      assert.deepEqual((await requestsOf(sam)).body.incoming, []);
      assert.equal((await call(t, alex, "DELETE", path)).status, 404);
    });

    test("asking someone who already asked me makes us friends at once", async () => {
      const [alex, sam] = [await newPerson(t, "Alex"), await newPerson(t, "Sam")];
      assert.equal((await ask(alex, sam.code)).status, 201);
      const events = recordEvents(t);
      try {
        const back = await ask(sam, alex.code);
        assert.equal(back.status, 200);
        assert.ok("friend" in back.body);
        assert.equal(back.body.friend.id, alex.id);
        const [event] = events.take();
        assert.equal(event?.type, "friend_added");
        assert.deepEqual(Object.keys(framesByRecipient(event)).sort(), [alex.id, sam.id].sort());
        assert.deepEqual(
          (await friendsOf(alex)).map((f) => f.id),
          [sam.id],
        );
      } finally {
        events.stop();
      }
    });

    test("asking both at once makes exactly one friendship", async () => {
      for (let round = 0; round < 5; round++) {
        const [alex, sam] = [await newPerson(t), await newPerson(t)];
        const replies = await Promise.all([ask(alex, sam.code), ask(sam, alex.code)]);
        assert.deepEqual(
          replies.map((r) => r.status).sort(),
          [200, 201],
          JSON.stringify(replies.map((r) => r.body)),
        );
        const rows = await t.database.db
          .selectFrom("friendships")
          .select("status")
          .where((eb) =>
            eb.or([eb("requester_id", "=", alex.id), eb("addressee_id", "=", alex.id)]),
          )
          .execute();
        assert.deepEqual(rows, [{ status: "accepted" }]);
        assert.deepEqual(
          (await friendsOf(sam)).map((f) => f.id),
          [alex.id],
        );
      }
    });

    test("requests to myself, a friend, or the same person twice are refused", async () => {
      const [alex, sam, kim] = [await newPerson(t), await newPerson(t), await newPerson(t)];
      await befriend(t, alex, kim);
      const self = await ask(alex, alex.code);
      assert.equal(self.status, 400);
      assert.equal(errorCode(self.body), "invalid_request");
      const friend = await ask(alex, kim.code);
      assert.equal(friend.status, 409);
      assert.equal(errorCode(friend.body), "conflict");
      assert.equal((await ask(alex, sam.code)).status, 201);
      const twice = await ask(alex, sam.code);
      assert.equal(twice.status, 409);
      assert.equal((await requestsOf(sam)).body.incoming.length, 1);
    });

    test("removing a friend tells both; strangers and non-friends get 404", async () => {
      const [alex, sam, stranger] = [await newPerson(t), await newPerson(t), await newPerson(t)];
      await befriend(t, alex, sam);
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, stranger, "DELETE", `/api/friends/${alex.id}`)).status, 404);
        assert.deepEqual(events.take(), []);
        assert.equal((await call(t, sam, "DELETE", `/api/friends/${alex.id}`)).status, 204);
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0, "no direct chat existed, so no group_deleted");
        assert.deepEqual(framesByRecipient(event), {
          [sam.id]: { type: "friend_removed", userId: alex.id },
          [alex.id]: { type: "friend_removed", userId: sam.id },
        });
        assert.deepEqual(await friendsOf(alex), []);
        assert.deepEqual(await friendsOf(sam), []);
        assert.equal((await call(t, sam, "DELETE", `/api/friends/${alex.id}`)).status, 404);
      } finally {
        events.stop();
      }
    });

    test("a pending request is not a friendship: it cannot be removed as one", async () => {
      const [alex, sam] = [await newPerson(t), await newPerson(t)];
      assert.equal((await ask(alex, sam.code)).status, 201);
      assert.equal((await call(t, alex, "DELETE", `/api/friends/${sam.id}`)).status, 404);
      assert.equal((await requestsOf(sam)).body.incoming.length, 1);
    });

    test("friends show online from the presence reader and last seen from the database", async () => {
      const [alex, sam, kim] = [
        await newPerson(t, "Alex"),
        await newPerson(t, "Sam"),
        await newPerson(t, "Kim"),
      ];
      await befriend(t, alex, sam, kim);
      const seenAt = new Date("2026-11-20T10:00:00Z");
      await t.database.db
        .updateTable("users")
        .set({ last_seen_at: seenAt })
        .where("id", "=", kim.id)
        .execute();
      const original = t.gateway.context.presence;
      const fake: PresenceReader = {
        isOnline: (id) => id === sam.id,
        statusOf: (id) => (id === sam.id ? "active" : "offline"),
        lastSeen: (id) => (id === sam.id ? 1_700_000_000_000 : undefined),
        presentIn: () => [],
      };
      t.gateway.context.presence = fake;
      try {
        const friends = await friendsOf(alex);
        assert.deepEqual(
          friends.map((f) => [f.displayName, f.online, f.lastSeen]),
          [
            ["Kim", false, seenAt.getTime()],
            ["Sam", true, 1_700_000_000_000],
          ],
        );
      } finally {
        t.gateway.context.presence = original;
      }
    });
  });
}
