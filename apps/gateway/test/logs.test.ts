import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { DEFAULT_MAX_RESTARTS } from "@clofri/actors";
import { CLOSE_CODES } from "@clofri/protocol";
import { testEngines } from "../src/db/test-engines.ts";
import { postFromApp, requestMagicLink, type TestGateway } from "./harness.ts";
import { call, RELAXED } from "./social-harness.ts";
import { chatCast, eventually, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();

interface LogLine {
  event?: string;
  level?: string;
  userId?: string;
  groupId?: string;
  [field: string]: unknown;
}

describe("logs", () => {
  let t: TestGateway;
  const output: string[] = [];
  const clients: WsClient[] = [];
  const lines = (): LogLine[] => output.map((text) => JSON.parse(text) as LogLine);
  const find = (event: string, match: Partial<LogLine> = {}): LogLine | undefined =>
    lines().find(
      (line) =>
        line.event === event && Object.entries(match).every(([key, value]) => line[key] === value),
    );

  useTestGateway(
    {
      engine,
      env: { ...RELAXED, LOG_LEVEL: "trace" },
      options: {
        enableTestHooks: true,
        logDestination: { write: (text: string) => output.push(text) },
      },
      clients,
    },
    (started) => {
      t = started;
    },
  );

  test("a whole session logs its events with userId and groupId, never message text or tokens", async () => {
    const secretText = `the eagle lands at midnight ${randomUUID()}`;
    const bogusToken = `bogus-${randomUUID()}`;
    const { alice, bob, group } = await chatCast(t);
    const a = await joined(t, alice, group.id);
    const b = await joined(t, bob, group.id);
    const tab = await WsClient.open(t, bob.token, { asCookie: true });
    clients.push(a.client, b.client, tab.client);

    const ack = await a.client.request({
      type: "send",
      group: group.id,
      text: secretText,
      key: "s",
    });
    assert.equal(ack.type, "ack");
    assert.equal((await b.client.next("message")).text, secretText);
    await a.client.request({ type: "typing_start", group: group.id });
    for (let i = 0; i < 6; i++) {
      await a.client.request({
        type: "send",
        group: group.id,
        text: `${secretText} ${i}`,
        key: `r${i}`,
      });
    }
    assert.equal((await call(t, alice, "GET", "/api/me")).status, 200);
    const muted = await call(t, alice, "PATCH", `/api/groups/${group.id}/members/${bob.id}`, {
      muted: true,
    });
    assert.equal(muted.status, 200);
    assert.equal(await WsClient.refusal(t, bogusToken), CLOSE_CODES.sessionEnded);
    const refused = await fetch(`${t.base}/api/me`, {
      headers: { authorization: `Bearer ${bogusToken}` },
    });
    assert.equal(refused.status, 401);

    assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
    await a.client.next((f) => f.type === "group_state" && f.ref === undefined);
    assert.equal((await b.client.request({ type: "leave", group: group.id })).type, "ack");
    await a.client.close(1000);
    await eventually(() => find("ws_close", { userId: alice.id }) !== undefined, "ws_close");

    const everything = output.join("");
    for (const secret of [secretText, alice.token, bob.token, bogusToken]) {
      assert.equal(everything.includes(secret), false, `the logs hold ${secret.slice(0, 12)}…`);
    }
    const userId = alice.id;
    const groupId = group.id;
    assert.ok(find("ws_open", { userId, level: "info" }), "connection opened");
    assert.equal(find("ws_close", { userId })?.code, 1000, "connection closed, with its code");
    assert.ok(find("room_join", { userId, groupId, level: "info" }), "join");
    assert.ok(find("room_leave", { userId: bob.id, groupId }), "leave");
    assert.ok(find("room_crashed", { groupId, level: "error" }), "room crash");
    assert.ok(find("room_restarted", { groupId, level: "warn" }), "room restart");
    assert.ok(find("rate_limited", { userId, limit: "ws_messages" }), "rate limit hit");
    assert.equal(lines().filter((line) => line.event === "rate_limited").length, 1, "once");
    assert.ok(find("member_muted", { userId, groupId, target: bob.id }), "moderation");
    assert.ok(find("ws_admission_refused", { reason: "invalid_session" }), "auth failure");
    const apiCall = find("http_request", { route: "/api/groups/:id/members/:userId", status: 200 });
    assert.ok(apiCall, "HTTP request line by route");
    assert.equal(apiCall.path, undefined, "no raw path (it could carry codes)");
    assert.equal(typeof apiCall.requestId, "string");
    const modLine = find("member_muted", { groupId });
    assert.equal(modLine?.requestId, apiCall.requestId, "route lines carry the request id");
    assert.equal(
      lines().filter((line) => line.level === "info" && line.event === "ws_frame").length,
      0,
    );
  });

  test("a sane incoming X-Request-Id is kept and logged; anything else is replaced", async () => {
    const kept = await fetch(`${t.base}/api/me`, { headers: { "x-request-id": "lb-7f3a.91:2" } });
    assert.equal(kept.headers.get("x-request-id"), "lb-7f3a.91:2");
    assert.ok(find("http_request", { requestId: "lb-7f3a.91:2", status: 401 }));

    for (const insane of ["has spaces in it", "x".repeat(200), 'quote"d']) {
      const replaced = await fetch(`${t.base}/api/me`, { headers: { "x-request-id": insane } });
      const id = replaced.headers.get("x-request-id") ?? "";
      assert.match(id, /^[0-9a-f-]{36}$/, "a fresh uuid");
      assert.ok(find("http_request", { requestId: id }));
    }
    const plain = await fetch(`${t.base}/health`);
    assert.match(plain.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const probe = find("http_request", { route: "/health" });
    assert.equal(probe?.level, "debug", "probes are not logged at info");
  });
  test("a room that gives up, a sign-in and its failure are logged, without the link's token", async () => {
    const { alice, group } = await chatCast(t);
    const { client } = await joined(t, alice, group.id);
    clients.push(client);
    for (let i = 0; i < DEFAULT_MAX_RESTARTS; i++) {
      assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
      await client.next((f) => f.type === "group_state" && f.ref === undefined);
    }
    assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
    assert.equal((await client.next("error")).code, "room_unavailable");
    assert.ok(find("room_gave_up", { groupId: group.id, level: "error" }), "give-up");

    const email = `logs-${randomUUID()}@example.com`;
    const post = (path: string, body: unknown) => postFromApp(t, path, body);
    const token = await requestMagicLink(t, email);
    assert.equal((await post("/auth/magic-link/verify", { token })).status, 200);
    assert.equal((await post("/auth/magic-link/verify", { token })).status >= 400, true);
    const signedIn = find("signed_in");
    assert.equal(typeof signedIn?.userId, "string", "sign-in names the user");
    assert.ok(find("sign_in_failed"), "the reused link is logged as a failure");
    assert.equal(output.join("").includes(token), false, "the link's token is never logged");
  });
});
