import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { realClock } from "@clofri/actors";
import { ManualClock } from "@clofri/actors/testing";
import { createLogger } from "../obs/logger.ts";
import { NatsLink } from "./nats-link.ts";
import { Rpc } from "./rpc.ts";
import { natsServerMissing, TestNatsServer } from "./testing/nats-server.ts";

const logger = createLogger("silent");

describe("Rpc between nodes over NATS", { skip: natsServerMissing() }, () => {
  let nats: TestNatsServer;
  let links: NatsLink[] = [];
  before(async () => {
    nats = await TestNatsServer.start();
  });
  after(async () => {
    await Promise.all(links.map((link) => link.close()));
    links = [];
    await nats.dispose();
  });

  async function node(name: string, clock = realClock, timeoutMs = 1_000) {
    const link = await NatsLink.open({ url: nats.url, node: name, logger });
    links.push(link);
    return { link, rpc: new Rpc({ link, node: name, clock, timeoutMs }) };
  }

  test("a request gets its own reply, matched by id, however many are in flight", async () => {
    const a = await node("a");
    const b = await node("b");
    b.rpc.serve("echo.b", (request) => request.reply(request.text.toUpperCase()));
    await b.link.flush();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => a.rpc.ask("echo.b", `m${i}`)),
    );
    assert.deepEqual(
      answers,
      Array.from({ length: 200 }, (_, i) => ({ ok: true, text: `M${i}` })),
    );
    assert.equal(a.rpc.pendingCount, 0);
  });

  test("a reply that travels another way (on a room event) answers its request once", async () => {
    const a = await node("f");
    const b = await node("g");
    // g answers by way of a carrier subject, as an owner puts a send's reply on the room event.
    b.rpc.serve("ride.g", (request) => {
      b.link.publish("carrier", `${request.replyTo} ${request.text.toUpperCase()}`);
    });
    const carried: boolean[] = [];
    a.link.subscribe("carrier", (msg) => {
      const [to = "", text = ""] = msg.string().split(" ");
      carried.push(a.rpc.answer(to, text), a.rpc.answer(to, "again"));
    });
    await Promise.all([a.link.flush(), b.link.flush()]);
    assert.deepEqual(await a.rpc.ask("ride.g", "hi"), { ok: true, text: "HI" });
    assert.deepEqual(carried, [true, false], "answered once; a second answer is ignored");
    assert.equal(a.rpc.answer("clofri.inbox.someone-else.1", "x"), false);
    assert.equal(a.rpc.pendingCount, 0);
  });

  test("nobody serving the subject: no_responders at once, not a timeout", async () => {
    const clock = new ManualClock();
    const a = await node("c", clock);
    assert.deepEqual(await a.rpc.ask("nobody.here", "x"), { ok: false, error: "no_responders" });
  });

  test("a responder that never answers: timeout after timeoutMs on the injected clock", async () => {
    const clock = new ManualClock();
    const a = await node("d", clock, 500);
    const b = await node("e");
    b.rpc.serve("silent.e", () => {});
    await b.link.flush();
    let answer: unknown;
    a.rpc.request("silent.e", "x", (received) => {
      answer = received;
    });
    await a.link.flush();
    await clock.advance(499);
    assert.equal(answer, undefined);
    await clock.advance(1);
    assert.deepEqual(answer, { ok: false, error: "timeout" });
  });
});
