import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { call, newPerson, type Person } from "./social-harness.ts";

const [engine] = testEngines();
const BUDGET_PER_MINUTE = 3;

/** A request sent with its path exactly as written: fetch would resolve `.` and `..` first. */
function rawRequest(
  t: TestGateway,
  person: Person,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string; location: string | undefined }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: t.gateway.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${person.token}`,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.once("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: text,
            location: response.headers.location,
          }),
        );
      },
    );
    req.once("error", reject);
    req.end(payload);
  });
}

describe(`one spelling per path [${engine?.name}]`, () => {
  let t: TestGateway;
  before(async () => {
    if (!engine) throw new Error("expected a test engine");
    t = await startTestGateway(engine, { REST_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE) });
  });
  after(() => t.close());

  test("other spellings of an API path neither reach the route nor skip the REST budget", async () => {
    const person = await newPerson(t);
    for (let i = 0; i < BUDGET_PER_MINUTE; i++) {
      assert.equal((await call(t, person, "GET", "/api/groups")).status, 200);
    }
    assert.equal((await call(t, person, "GET", "/api/groups")).status, 429, "budget spent");

    for (const path of [
      "//api/groups",
      "/api//groups",
      "/api/groups/",
      "/./api/groups",
      "/api/../api/groups",
      "/api/%2e/groups",
      "/api%2Fgroups",
      "//auth/logout",
    ]) {
      const reply = await rawRequest(t, person, "POST", path, { name: "Sneaky" });
      assert.equal(reply.status, 404, `${path} answered ${reply.status} ${reply.body}`);
      assert.equal(JSON.parse(reply.body).error.code, "not_found");
    }

    t.clock.nowMs += 60_000;
    const groups = await call<{ groups: unknown[] }>(t, person, "GET", "/api/groups");
    assert.equal(groups.status, 200);
    assert.deepEqual(groups.body.groups, [], "no spelling created a group");
  });

  test("a read of another spelling is sent to the one spelling, query kept", async () => {
    const person = await newPerson(t);
    for (const [path, location] of [
      ["/join/ABCDEFGHJKMN/", "/join/ABCDEFGHJKMN"],
      ["//health", "/health"],
      ["/friends/./?tab=requests", "/friends?tab=requests"],
      ["//evil.example/", "/evil.example"],
    ]) {
      const reply = await rawRequest(t, person, "GET", path ?? "");
      assert.equal(reply.status, 308, path);
      assert.equal(reply.location, location, path);
    }
    const refused = await rawRequest(t, person, "GET", "/api%2Fgroups");
    assert.equal(refused.status, 404);
  });
});
