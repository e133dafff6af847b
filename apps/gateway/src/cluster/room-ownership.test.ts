import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../obs/logger.ts";
import { NatsLink } from "./nats-link.ts";
import { RoomOwnership } from "./room-ownership.ts";
import { eventually } from "./testing/eventually.ts";
import { natsServerMissing, TestNatsServer } from "./testing/nats-server.ts";

const logger = createLogger("silent");

describe("RoomOwnership in a KV bucket", { skip: natsServerMissing() }, () => {
  let nats: TestNatsServer;
  const links: NatsLink[] = [];
  const dead = new Set<string>();
  before(async () => {
    nats = await TestNatsServer.start();
  });
  after(async () => {
    await Promise.all(links.map((link) => link.close()));
    await nats.dispose();
  });

  async function node(name: string) {
    const link = await NatsLink.open({ url: nats.url, node: name, logger });
    links.push(link);
    const ownership = await RoomOwnership.open({
      link,
      logger,
      isAlive: (other, incarnation) => !dead.has(`${other}/${incarnation}`),
    });
    return { ownership, me: { node: name, incarnation: `${name}-1` } };
  }

  test("ten nodes claiming one room at once: one wins, and all of them say so", async () => {
    const nodes = await Promise.all(Array.from({ length: 10 }, (_, i) => node(`n${i}`)));
    const owners = await Promise.all(nodes.map(({ ownership, me }) => ownership.claim("g1", me)));
    const winners = new Set(owners.map((owner) => `${owner.node}/${owner.revision}`));
    assert.equal(winners.size, 1, `one owner: ${[...winners]}`);
    const [winner] = owners;
    for (const { ownership } of nodes) {
      await eventually(() => ownership.ownerOf("g1")?.node === winner?.node, "every copy agrees");
    }
  });

  test("a dead owner's room goes to the next claimant, from the revision that named it", async () => {
    const a = await node("a");
    const b = await node("b");
    const first = await a.ownership.claim("g2", a.me);
    assert.equal(first.node, "a");
    assert.equal((await b.ownership.claim("g2", b.me)).node, "a", "a is alive: b follows it");
    dead.add("a/a-1");
    const second = await b.ownership.claim("g2", b.me);
    assert.equal(second.node, "b");
    assert.ok(second.revision > first.revision);
    await assert.rejects(
      a.ownership.transfer("g2", first, a.me),
      "a stale owner cannot write from its old revision",
    );
  });

  test("released, a room is free; handed over, it names its successor", async () => {
    const a = await node("c");
    const b = await node("d");
    const owner = await a.ownership.claim("g3", a.me);
    const handed = await a.ownership.transfer("g3", owner, b.me);
    assert.equal(handed.node, "d");
    await eventually(() => b.ownership.ownerOf("g3")?.node === "d", "b sees the hand-over");
    await b.ownership.release("g3", handed);
    await eventually(() => a.ownership.ownerOf("g3") === undefined, "a sees it released");
    assert.equal((await a.ownership.claim("g3", a.me)).node, "c", "free to claim again");
  });

  test("ownership survives a NATS restart", async () => {
    const a = await node("e");
    await a.ownership.claim("g4", a.me);
    await nats.stop();
    await nats.start();
    const b = await node("f");
    assert.equal((await b.ownership.claim("g4", b.me)).node, "e");
  });
});
