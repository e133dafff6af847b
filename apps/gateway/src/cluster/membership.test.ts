import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { createLogger } from "../obs/logger.ts";
import { Membership } from "./membership.ts";
import { NatsLink } from "./nats-link.ts";
import { eventually } from "./testing/eventually.ts";
import { natsServerMissing, TestNatsServer } from "./testing/nats-server.ts";

const logger = createLogger("silent");
const HEARTBEAT_MS = 1_000;
const LEASE_MS = 3_000;

describe("Membership by heartbeat", { skip: natsServerMissing() }, () => {
  let nats: TestNatsServer;
  let open: Array<{ link: NatsLink; membership: Membership }> = [];
  before(async () => {
    nats = await TestNatsServer.start();
  });
  afterEach(async () => {
    for (const { membership } of open) membership.stop();
    await Promise.all(open.map(({ link }) => link.close()));
    open = [];
    await nats.start();
  });
  after(() => nats.dispose());

  async function node(name: string, clock: ManualClock) {
    const events: string[] = [];
    const link = await NatsLink.open({ url: nats.url, node: name, logger });
    const membership = new Membership({
      link,
      node: name,
      clock,
      heartbeatMs: HEARTBEAT_MS,
      leaseMs: LEASE_MS,
      onNodeUp: (other) => events.push(`up:${other}`),
      onNodeDown: (other) => events.push(`down:${other}`),
      onFenced: () => events.push("fenced"),
      onUnfenced: () => events.push("unfenced"),
    });
    membership.start();
    // Subscriptions reach the server asynchronously: a beat published on another connection
    // before this one's SUB arrived would be missed, and the clock only moves when told.
    await link.flush();
    open.push({ link, membership });
    return { link, membership, events };
  }

  test("nodes see each other; one leaving on purpose is gone at once", async () => {
    const clock = new ManualClock();
    const a = await node("a", clock);
    const b = await node("b", clock);
    await clock.advance(HEARTBEAT_MS);
    await eventually(() => a.membership.isAlive("b") && b.membership.isAlive("a"), "both up");
    assert.deepEqual(a.membership.liveNodes, ["a", "b"]);
    b.membership.stop();
    await eventually(() => !a.membership.isAlive("b"), "b gone");
    assert.deepEqual(a.events, ["up:b", "down:b"]);
  });

  test("a node that vanishes is taken for dead after its lease and one beat, not before", async () => {
    const clock = new ManualClock();
    const a = await node("c", clock);
    const b = await node("d", clock);
    await clock.advance(HEARTBEAT_MS);
    await eventually(() => a.membership.isAlive("d"), "d up");
    await b.link.close();
    await clock.advance(LEASE_MS);
    assert.equal(a.membership.isAlive("d"), true, "still within its lease");
    await clock.advance(HEARTBEAT_MS * 2);
    assert.equal(a.membership.isAlive("d"), false);
  });

  test("cut off from NATS past its lease, a node fences itself; its heartbeats back, it rejoins", async () => {
    const clock = new ManualClock();
    const a = await node("e", clock);
    await clock.advance(HEARTBEAT_MS);
    await eventually(() => a.membership.holdsLease(), "e holds its lease");
    const firstIncarnation = a.membership.incarnation;
    await nats.stop();
    await clock.advance(LEASE_MS + HEARTBEAT_MS);
    assert.equal(a.membership.holdsLease(), false);
    assert.deepEqual(a.events, ["fenced"]);
    await nats.start();
    await eventually(() => a.link.status === "connected", "reconnected", 5_000);
    // The next beat goes out and comes back: the server answers a flush after delivering it.
    await clock.advance(HEARTBEAT_MS);
    await a.link.flush();
    assert.deepEqual(a.events, ["fenced", "unfenced"]);
    assert.notEqual(a.membership.incarnation, firstIncarnation, "a new incarnation");
    assert.equal(a.membership.holdsLease(), true);
  });
});
