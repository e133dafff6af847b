import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import {
  type ApiReply,
  befriend,
  call,
  createGroup,
  errorCode,
  newPeople,
  RELAXED,
} from "./social-harness.ts";
import { type Frame, useTestGateway, WsClient } from "./ws-client.ts";

// Leaving for good (PROTOCOL 1.1): DELETE /api/me with the typed confirmation deletes me as the
// admin deletion does, closes every socket of every session with 4001 and clears the cookie.

for (const engine of testEngines()) {
  describe(`deleting my own account [${engine.name}]`, () => {
    let t: TestGateway;
    const clients: WsClient[] = [];
    useTestGateway({ engine, env: RELAXED, clients }, (started) => {
      t = started;
    });

    test("without the exact confirmation nothing happens", async () => {
      const [alex] = await newPeople(t, 1);
      assert.ok(alex);
      const bodies: unknown[] = [undefined, {}, { confirm: "delete my acount" }, { confirm: true }];
      for (const body of bodies) {
        const reply: ApiReply<unknown> = await call(t, alex, "DELETE", "/api/me", body);
        assert.equal(reply.status, 400, JSON.stringify(body));
        assert.equal(errorCode(reply.body), "invalid_request");
      }
      assert.equal((await call(t, alex, "GET", "/api/me")).status, 200);
      assert.equal((await call(t, undefined, "DELETE", "/api/me", {})).status, 401);
    });

    test("my groups are handed on with an audit entry, friends told, every socket closed with 4001", async () => {
      const [alex, sam] = await newPeople(t, 2);
      assert.ok(alex && sam);
      await befriend(t, alex, sam);
      const group = await createGroup(t, alex, [sam]);
      const other = await t.gateway.context.sessions.create(alex.id, undefined);
      const tab1 = await WsClient.open(t, alex.token);
      const tab2 = await WsClient.open(t, other.token);
      const samWs = await WsClient.open(t, sam.token);
      clients.push(tab1.client, tab2.client, samWs.client);

      const reply = await call(t, alex, "DELETE", "/api/me", { confirm: "delete my account" });
      assert.equal(reply.status, 204);
      assert.match(reply.headers.get("set-cookie") ?? "", /clofri_session=;.*Max-Age=0/i);
      assert.equal((await tab1.client.closed).code, 4001);
      assert.equal((await tab2.client.closed).code, 4001, "the other session's socket too");

      const left = await samWs.client.next("member_left");
      assert.deepEqual(left, {
        type: "member_left",
        group: group.id,
        userId: alex.id,
        creatorId: sam.id,
      });
      assert.deepEqual(await samWs.client.next("friend_removed"), {
        type: "friend_removed",
        userId: alex.id,
      });
      const audit = await call<{ entries: Frame[] }>(
        t,
        sam,
        "GET",
        `/api/groups/${group.id}/audit`,
      );
      assert.equal(audit.status, 200, "the group is Sam's now");
      assert.deepEqual(
        audit.body.entries.slice(0, 2).map((entry) => entry.action),
        ["creator_transferred", "member_left"],
      );
      assert.equal((await call(t, alex, "GET", "/api/me")).status, 401, "signed out");
      const again = await WsClient.open(t, other.token).catch((error: unknown) => error);
      assert.ok(again instanceof Error, "no socket for a deleted person");
    });
  });
}
