import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, test } from "node:test";
import { DEFAULT_MAX_RESTARTS } from "@clofri/actors";
import { CLOSE_CODES } from "@clofri/protocol";
import { testEngines } from "../src/db/test-engines.ts";
import type { TestGateway } from "./harness.ts";
import { type Family, parseExposition, sampleValue } from "./prometheus-text.ts";
import { call, RELAXED } from "./social-harness.ts";
import { chatCast, eventually, joined, useTestGateway, WsClient } from "./ws-client.ts";

const [engine] = testEngines();
const METRICS_TOKEN = "a-metrics-token-for-tests";

async function scrape(t: TestGateway, token?: string): Promise<Map<string, Family>> {
  const response = await fetch(`${t.base}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** A method the API does not serve (fetch refuses to send TRACE; uWS refuses made-up ones). */
function traceStatus(t: TestGateway): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: t.gateway.port, method: "TRACE", path: "/" });
    req.once("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end();
  });
}

/** Scrapes before and after `act`, returning how much a sample moved. */
function sampleOrZero(
  families: Map<string, Family>,
  name: string,
  labels?: Record<string, string>,
): number {
  try {
    return sampleValue(families, name, labels);
  } catch {
    // A labelled series appears with its first observation.
    return 0;
  }
}

async function delta(
  t: TestGateway,
  samples: Array<[string, Record<string, string>?]>,
  act: () => Promise<void>,
): Promise<number[]> {
  const before = await scrape(t);
  await act();
  const after = await scrape(t);
  return samples.map(
    ([name, labels]) => sampleValue(after, name, labels) - sampleOrZero(before, name, labels),
  );
}

describe("the strict exposition reader", () => {
  test("reads HELP, TYPE, escaped label values and special values; refuses malformed text", () => {
    const families = parseExposition(
      [
        "# HELP x_total Things with a \\\\ and\\na newline.",
        "# TYPE x_total counter",
        'x_total{a="q\\"uote",b="back\\\\slash\\nnewline"} 3',
        "x_total 1e3",
        "# TYPE g gauge",
        "g +Inf",
        "",
      ].join("\n"),
    );
    assert.equal(families.get("x_total")?.help, "Things with a \\ and\na newline.");
    assert.equal(sampleValue(families, "x_total", { a: 'q"uote', b: "back\\slash\nnewline" }), 3);
    assert.equal(sampleValue(families, "x_total"), 1000);
    assert.equal(sampleValue(families, "g"), Number.POSITIVE_INFINITY);
    for (const bad of [
      '# TYPE x counter\nx{a="b} 1\n',
      '# TYPE x counter\nx{a="\\t"} 1\n',
      "# TYPE x counter\nx 1 2 3\n",
      "# TYPE x counter\ny 1\n",
      "# TYPE x counter\nx 1\nx 2\n",
      '# TYPE x histogram\nx_bucket{le="1"} 2\nx_bucket{le="+Inf"} 1\nx_sum 1\nx_count 1\n',
      "# TYPE x counter\nx one\n",
    ]) {
      assert.throws(() => parseExposition(bad), Error, bad);
    }
  });
});

describe("GET /metrics", () => {
  let t: TestGateway;
  const clients: WsClient[] = [];
  useTestGateway(
    { engine, env: RELAXED, options: { enableTestHooks: true }, clients },
    (started) => {
      t = started;
    },
  );

  test("every family has HELP and TYPE, counters end in _total, process metrics are there", async () => {
    const families = await scrape(t);
    for (const family of families.values()) {
      assert.ok(family.name.startsWith("clofri_"), family.name);
      assert.notEqual(family.help, "", `${family.name} has a HELP`);
      assert.notEqual(family.type, "untyped", `${family.name} has a TYPE`);
      if (family.type === "counter") assert.match(family.name, /_total$/);
    }
    for (const name of [
      "clofri_process_cpu_seconds_total",
      "clofri_process_resident_memory_bytes",
      "clofri_nodejs_eventloop_lag_seconds",
      "clofri_nodejs_heap_size_used_bytes",
    ]) {
      assert.ok(families.has(name), `${name} is exposed`);
    }
    assert.equal(families.get("clofri_actor_message_handling_seconds")?.type, "histogram");
  });

  test("connecting, joining and sending move the gauges, counters and histograms", async () => {
    const { alice, bob, group } = await chatCast(t);
    let aliceWs: WsClient | undefined;
    let bobWs: WsClient | undefined;
    const moved = await delta(
      t,
      [
        ["clofri_ws_connections"],
        ["clofri_ws_connections_opened_total"],
        ["clofri_online_users"],
        ["clofri_rooms_active"],
        ["clofri_ws_frames_received_total", { type: "join" }],
        ["clofri_ws_frames_sent_total", { type: "hello" }],
        ["clofri_ws_frames_sent_total", { type: "group_state" }],
        ["clofri_ws_frames_sent_total", { type: "user_joined" }],
        ["clofri_join_latency_seconds_count"],
      ],
      async () => {
        aliceWs = (await joined(t, alice, group.id)).client;
        bobWs = (await joined(t, bob, group.id)).client;
        clients.push(aliceWs, bobWs);
        await aliceWs.next((f) => f.type === "user_joined" && f.userId === bob.id);
      },
    );
    // Alice hears both joins, Bob his own: user_joined goes to every online member's sockets.
    assert.deepEqual(moved, [2, 2, 2, 1, 2, 2, 2, 3, 2]);
    if (!aliceWs || !bobWs) throw new Error("expected two sockets");
    const writer = aliceWs;
    const reader = bobWs;

    const sent = await delta(
      t,
      [
        ["clofri_ws_frames_received_total", { type: "send" }],
        ["clofri_messages_sent_total"],
        ["clofri_message_deliveries_total"],
        ["clofri_ws_frames_sent_total", { type: "message" }],
        ["clofri_ws_frames_sent_total", { type: "ack" }],
        ["clofri_send_broadcast_latency_seconds_count"],
        ["clofri_actor_message_handling_seconds_count", { actor: "room" }],
      ],
      async () => {
        const ack = await writer.request({ type: "send", group: group.id, text: "hi", key: "k1" });
        await reader.next((f) => f.type === "message" && f.id === ack.id);
      },
    );
    assert.deepEqual(sent.slice(0, 6), [1, 1, 2, 2, 1, 1]);
    assert.ok((sent[6] ?? 0) >= 1, "the room handled the send");

    const families = await scrape(t);
    assert.equal(sampleValue(families, "clofri_actor_mailbox_messages", { actor: "room" }), 0);
    assert.equal(sampleValue(families, "clofri_actor_mailbox_depth_max", { actor: "room" }), 0);
    assert.ok(sampleValue(families, "clofri_join_latency_seconds_sum") > 0);
  });

  test("rate limits and error frames are counted by limit and by code", async () => {
    const { alice, group } = await chatCast(t);
    const { client } = await joined(t, alice, group.id);
    clients.push(client);
    const moved = await delta(
      t,
      [
        ["clofri_rate_limited_total", { limit: "ws_messages" }],
        ["clofri_ws_errors_total", { code: "rate_limited" }],
        ["clofri_ws_frames_sent_total", { type: "error" }],
        ["clofri_ws_frames_received_total", { type: "invalid" }],
        ["clofri_ws_errors_total", { code: "invalid_frame" }],
      ],
      async () => {
        // The burst is 5 a second and the gateway's clock stands still.
        const replies = [];
        for (let i = 0; i < 6; i++) {
          replies.push(
            await client.request({ type: "send", group: group.id, text: `m${i}`, key: `r${i}` }),
          );
        }
        assert.equal(replies.at(-1)?.code, "rate_limited");
        assert.equal((await client.request({ type: "dance" })).code, "invalid_frame");
      },
    );
    assert.deepEqual(moved, [1, 1, 2, 1, 1]);
  });

  test("a crashing room counts crashes, restarts and finally a give-up", async () => {
    const { alice, group } = await chatCast(t);
    const { client } = await joined(t, alice, group.id);
    clients.push(client);
    const moved = await delta(
      t,
      [
        ["clofri_actor_crashes_total", { actor: "room" }],
        ["clofri_actor_restarts_total", { actor: "room" }],
        ["clofri_actor_give_ups_total", { actor: "room" }],
        ["clofri_ws_errors_total", { code: "room_unavailable" }],
      ],
      async () => {
        for (let i = 0; i < DEFAULT_MAX_RESTARTS; i++) {
          assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
          await client.next((f) => f.type === "group_state" && f.ref === undefined);
        }
        assert.equal(t.gateway.realtime.rooms.crash(group.id), true);
        assert.equal((await client.next("error")).code, "room_unavailable");
      },
    );
    assert.deepEqual(moved, [DEFAULT_MAX_RESTARTS + 1, DEFAULT_MAX_RESTARTS, 1, 1]);
  });

  test("closes are counted by code; HTTP requests by route pattern, never the raw path or method", async () => {
    const { alice, group } = await chatCast(t);
    const moved = await delta(
      t,
      [
        ["clofri_ws_closes_total", { code: "1000" }],
        ["clofri_ws_upgrades_refused_total", { reason: "unauthorized" }],
        ["clofri_http_requests_total", { method: "GET", route: "/api/groups/:id", status: "200" }],
        ["clofri_http_requests_total", { method: "GET", route: "unmatched", status: "404" }],
        ["clofri_http_request_duration_seconds_count", { method: "GET", route: "/api/groups/:id" }],
        ["clofri_http_requests_total", { method: "other", route: "unmatched", status: "405" }],
      ],
      async () => {
        const open = t.gateway.realtime.connectionCount;
        const { client } = await WsClient.open(t, alice.token);
        await client.close(1000);
        await eventually(() => t.gateway.realtime.connectionCount === open, "the socket is gone");
        assert.equal(await WsClient.refusal(t, "not-a-session-token"), CLOSE_CODES.sessionEnded);
        assert.equal((await call(t, alice, "GET", `/api/groups/${group.id}`)).status, 200);
        assert.equal((await fetch(`${t.base}/api/no/such/${group.id}`)).status, 404);
        assert.equal(await traceStatus(t), 405);
      },
    );
    assert.deepEqual(moved, [1, 1, 1, 1, 1, 1]);
    const families = await scrape(t);
    const routes = families.get("clofri_http_requests_total")?.samples.map((s) => s.labels.route);
    assert.ok(routes?.includes("/metrics"));
    assert.ok(
      routes?.every((route) => route !== undefined && !route.includes(group.id)),
      `no raw paths in ${routes}`,
    );
  });
});

describe("METRICS_TOKEN", () => {
  let t: TestGateway;
  useTestGateway({ engine, env: { METRICS_TOKEN } }, (started) => {
    t = started;
  });

  test("without the bearer token /metrics is 401; with it, 200", async () => {
    assert.equal((await fetch(`${t.base}/metrics`)).status, 401);
    const wrong = await fetch(`${t.base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, "unauthorized");
    const families = await scrape(t, METRICS_TOKEN);
    assert.ok(families.has("clofri_ws_connections"));
  });
});
