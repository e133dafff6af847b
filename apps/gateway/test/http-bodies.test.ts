import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { testEngines } from "../src/db/test-engines.ts";
import { BODY_TIMEOUT_MS } from "../src/http/serve-http.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { parseExposition, sampleValue } from "./prometheus-text.ts";

const [engine] = testEngines();
const UPLOADS = 4;
const BODY = JSON.stringify({ email: "someone@example.com" });
/**
 * Shutdown waits up to 80% of SHUTDOWN_TIMEOUT_MS for requests in flight: a minute here, so that
 * a leaked request shows as 48 s while a prompt shutdown keeps a wide margin on a loaded machine.
 */
const SHUTDOWN_TIMEOUT_MS = 60_000;
const PROMPT_SHUTDOWN_MS = 10_000;

/** A raw connection that sends a sign-in request's headers and only the start of its body. */
interface Upload {
  socket: Socket;
  /** Everything the server sent until it closed the connection. */
  received: Promise<string>;
}

function startUpload(port: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        [
          "POST /auth/magic-link HTTP/1.1",
          "Host: 127.0.0.1",
          "Content-Type: application/json",
          `Content-Length: ${Buffer.byteLength(BODY)}`,
          "",
          BODY.slice(0, 8),
        ].join("\r\n"),
      );
      resolve({ socket, received });
    });
    socket.once("error", reject);
    const received = new Promise<string>((done) => {
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      socket.once("close", () => done(text));
    });
  });
}

/** HTTP requests in flight, as an operator sees them; the scrape itself is one of them. */
async function inFlightBesidesScrape(t: TestGateway): Promise<number> {
  const text = await (await fetch(`${t.base}/metrics`)).text();
  return sampleValue(parseExposition(text), "clofri_http_requests_in_flight") - 1;
}

async function waitForInFlight(t: TestGateway, expected: number): Promise<void> {
  const deadline = performance.now() + 5_000;
  let seen = await inFlightBesidesScrape(t);
  while (seen !== expected) {
    if (performance.now() > deadline) {
      throw new Error(`expected ${expected} requests in flight, still ${seen} after 5 s`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    seen = await inFlightBesidesScrape(t);
  }
}

describe(`request bodies that never arrive [${engine?.name}]`, () => {
  let t: TestGateway;
  let clock: ManualClock;
  // A gateway per test: one that leaks requests must not make the next test fail for it.
  beforeEach(async () => {
    if (!engine) throw new Error("expected a test engine");
    clock = new ManualClock(1_000_000);
    t = await startTestGateway(
      engine,
      { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      { clock },
    );
  });
  afterEach(() => t.close());

  test("an upload aborted mid-body leaves the in-flight count at once", async () => {
    const uploads = await Promise.all(
      Array.from({ length: UPLOADS }, () => startUpload(t.gateway.port)),
    );
    await waitForInFlight(t, UPLOADS);
    for (const upload of uploads) upload.socket.destroy();
    await waitForInFlight(t, 0);
  });

  test("a stalled or trickling body gets 408 once its time is up, and the connection closes", async () => {
    const stalled = await startUpload(t.gateway.port);
    const trickling = await startUpload(t.gateway.port);
    await waitForInFlight(t, 2);
    // A slow-loris keeps the connection busy with a byte now and then: the bound is for the whole
    // body, not between bytes.
    for (let i = 0; i < 4; i++) {
      await clock.advance(BODY_TIMEOUT_MS / 5);
      trickling.socket.write(BODY.slice(8 + i, 9 + i));
    }
    assert.equal(await inFlightBesidesScrape(t), 2, "still waiting within the bound");
    await clock.advance(BODY_TIMEOUT_MS / 5);
    for (const upload of [stalled, trickling]) {
      const answer = await upload.received;
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"code":"request_timeout"/);
    }
    await waitForInFlight(t, 0);
  });

  test("shutdown does not wait for uploads that were aborted", async () => {
    const uploads = await Promise.all(
      Array.from({ length: UPLOADS }, () => startUpload(t.gateway.port)),
    );
    await waitForInFlight(t, UPLOADS);
    for (const upload of uploads) upload.socket.destroy();
    const startedAt = performance.now();
    await t.gateway.shutdown();
    const tookMs = performance.now() - startedAt;
    assert.ok(tookMs < PROMPT_SHUTDOWN_MS, `shutdown took ${Math.round(tookMs)} ms`);
  });
});
