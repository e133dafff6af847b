import type { us_listen_socket } from "uWebSockets.js";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppError } from "../app-error.ts";
import { createLogger } from "../obs/logger.ts";
import { Router } from "./router.ts";
import { SECURITY_HEADERS } from "./security-headers.ts";
import { mountHttp } from "./serve-http.ts";
import { uWS } from "./uws.ts";

describe("the HTTP edge", () => {
  let listenSocket: us_listen_socket;
  let base: string;

  before(async () => {
    const router = new Router()
      .post("/echo", async (request) => ({ status: 200, body: { received: await request.json() } }))
      .get("/items/:id", (request) => ({ status: 200, body: { id: request.params.id } }))
      .get("/teapot", () => {
        throw new AppError("rate_limited", "slow down", { retryAfterMs: 1_500 });
      })
      .get("/bug", () => {
        throw new Error("a bug");
      })
      .post("/ignores-body", async () => {
        // Like a route that checks the session in the database before it would read the body.
        await new Promise((resolve) => setImmediate(resolve));
        return { status: 204 };
      });
    const app = uWS.App();
    mountHttp(app, {
      router,
      logger: createLogger("silent"),
      maxBodyBytes: 1024,
      trustProxy: false,
      defaultHeaders: SECURITY_HEADERS,
    });
    listenSocket = await new Promise((resolve, reject) =>
      app.listen("127.0.0.1", 0, (socket) =>
        socket ? resolve(socket) : reject(new Error("listen")),
      ),
    );
    base = `http://127.0.0.1:${uWS.us_socket_local_port(listenSocket)}`;
  });

  after(() => uWS.us_listen_socket_close(listenSocket));

  async function call(path: string, init?: RequestInit) {
    const response = await fetch(`${base}${path}`, init);
    return { response, body: (await response.json()) as Record<string, unknown> };
  }

  const json = (body: string): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

  test("a JSON body is parsed and the reply serialized, with security headers", async () => {
    const { response, body } = await call("/echo", json('{"name":"Sam"}'));
    assert.equal(response.status, 200);
    assert.deepEqual(body, { received: { name: "Sam" } });
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("path parameters are decoded", async () => {
    const { body } = await call("/items/a%20b");
    assert.deepEqual(body, { id: "a b" });
  });

  test("malformed JSON is a 400 with a clear message", async () => {
    const { response, body } = await call("/echo", json('{"name":'));
    assert.equal(response.status, 400);
    assert.deepEqual(body, {
      error: { code: "invalid_request", message: "the body is not valid JSON" },
    });
  });

  test("an oversize body is a 413, whether declared or streamed", async () => {
    const big = JSON.stringify({ text: "x".repeat(5_000) });
    const declared = await call("/echo", json(big));
    assert.equal(declared.response.status, 413);
    assert.deepEqual(declared.body, {
      error: { code: "too_large", message: "request body is larger than 1024 bytes" },
    });

    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(500)));
        controller.close();
      },
    });
    const streamed = await call("/echo", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.response.status, 413);
  });

  test("an oversize body that the route never reads does not take the process down", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const response = await fetch(`${base}/ignores-body`, json("x".repeat(100_000)));
      assert.equal(response.status, 204);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(rejections, []);
      assert.equal((await call("/items/3")).response.status, 200);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  test("a body that is not JSON is refused by content type", async () => {
    const { response, body } = await call("/echo", { method: "POST", body: "name=Sam" });
    assert.equal(response.status, 415);
    assert.equal((body.error as { code: string }).code, "unsupported_media_type");
  });

  test("unknown paths are 404 and known paths with another method are 405", async () => {
    const missing = await call("/nowhere");
    assert.equal(missing.response.status, 404);
    assert.equal((missing.body.error as { code: string }).code, "not_found");
    const wrongMethod = await call("/items/1", { method: "DELETE" });
    assert.equal(wrongMethod.response.status, 405);
  });

  test("an AppError maps to its status, with Retry-After in whole seconds", async () => {
    const { response, body } = await call("/teapot");
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "2");
    assert.deepEqual(body, { error: { code: "rate_limited", message: "slow down" } });
  });

  test("a bug is a 500 that reveals nothing, and the server goes on", async () => {
    const { response, body } = await call("/bug");
    assert.equal(response.status, 500);
    assert.deepEqual(body, {
      error: { code: "internal", message: "something went wrong on our side" },
    });
    assert.equal((await call("/items/2")).response.status, 200);
  });
});
