import assert from "node:assert/strict";
import { request } from "node:http";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { GatewayProcess } from "./gateway-process.ts";
import { parseExposition, sampleValue } from "./prometheus-text.ts";

const ADMIN_TOKEN = "an-admin-token-for-the-shutdown-test";
const SHUTDOWN_BUDGET_MS = 10_000;
const CLOSE_BUDGET_MS = 1_000;

interface Fixtures {
  users: Array<{ id: string; token: string }>;
  groups: Array<{ id: string }>;
}

describe("graceful shutdown of the process", { timeout: 120_000 }, () => {
  // In a hook, so a timed-out test still takes its process down.
  const processes: GatewayProcess[] = [];
  after(() => Promise.all(processes.map((process) => process.stop())));

  test("SIGTERM: upgrades refused at once, sockets closed 1001 within 1 s, the request in flight answered, exit 0 within 10 s", async () => {
    const gateway = new GatewayProcess({ ADMIN_TOKEN });
    processes.push(gateway);
    const sockets: WebSocket[] = [];
    try {
      const port = await gateway.port();
      const base = `http://127.0.0.1:${port}`;
      const fixtures = await createFixtures(base);
      const closes = await Promise.all(
        fixtures.users.map(async (user) => {
          const socket = await openSocket(port, user.token);
          sockets.push(socket);
          socket.send(JSON.stringify({ type: "join", group: fixtures.groups[0]?.id, ref: "j" }));
          // Wrapped: an async function returning the promise would wait for the close itself.
          return { closed: closedAt(socket) };
        }),
      );

      // A sign-in request whose body is only half sent: in flight until the rest arrives.
      const body = JSON.stringify({ email: "late@example.com" });
      const held = holdRequest(port, "/auth/magic-link", body);
      held.write(body.slice(0, 10));
      await waitUntil(async () => (await inFlight(base)) >= 2, "the held request is in flight");

      const signalledAt = performance.now();
      gateway.child.kill("SIGTERM");

      for (const { closed } of closes) {
        const { code, atMs } = await closed;
        assert.equal(code, 1001);
        assert.ok(atMs - signalledAt < CLOSE_BUDGET_MS, `closed ${atMs - signalledAt} ms after`);
      }
      await assert.rejects(
        openSocket(port, fixtures.users[0]?.token ?? ""),
        "a new upgrade is refused",
      );

      held.finish(body.slice(10));
      const answer = await held.answered;
      assert.equal(answer.status, 202, "the request in flight was answered");
      assert.deepEqual(JSON.parse(answer.body), { ok: true });

      const { code } = await gateway.exited;
      const exitedAfterMs = performance.now() - signalledAt;
      assert.equal(code, 0);
      assert.ok(exitedAfterMs < SHUTDOWN_BUDGET_MS, `exited ${exitedAfterMs} ms after SIGTERM`);
      const events = gateway.logs.map((line) => line.event);
      assert.ok(events.includes("shutdown_started"));
      assert.ok(events.includes("shutdown_complete"));
      assert.equal(
        gateway.logs.find((line) => line.event === "stopped_listening")?.unfinishedRequests,
        0,
      );
    } finally {
      for (const socket of sockets) socket.terminate();
    }
  });
});

async function createFixtures(base: string): Promise<Fixtures> {
  const response = await fetch(`${base}/admin/fixtures`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ users: 3, groups: [{ name: "Couch", members: [0, 1, 2] }] }),
  });
  assert.equal(response.status, 201);
  return (await response.json()) as Fixtures;
}

function openSocket(port: number, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    socket.once("message", () => resolve(socket)); // hello
    socket.once("error", reject);
    socket.once("unexpected-response", (_request, response) => {
      reject(new Error(`upgrade refused with ${response.statusCode}`));
      socket.terminate();
    });
    socket.once("close", (code) => reject(new Error(`closed (${code}) before hello`)));
  });
}

function closedAt(socket: WebSocket): Promise<{ code: number; atMs: number }> {
  return new Promise((resolve) => {
    socket.once("close", (code) => resolve({ code, atMs: performance.now() }));
  });
}

/** A POST whose body the test writes piece by piece. */
function holdRequest(port: number, path: string, body: string) {
  const req = request({
    host: "127.0.0.1",
    port,
    path,
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.once("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
  });
  req.flushHeaders();
  return {
    write: (text: string) => req.write(text),
    finish: (text: string) => req.end(text),
    answered,
  };
}

/** HTTP requests in flight, as /metrics reports them (the scrape itself is one). */
async function inFlight(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return sampleValue(parseExposition(text), "clofri_http_requests_in_flight");
}

async function waitUntil(condition: () => Promise<boolean>, description: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
