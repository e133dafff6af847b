import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../obs/logger.ts";
import { decodeRoomEvent, encodeRoomEvent, withReply } from "./envelope.ts";
import { NatsLink } from "./nats-link.ts";
import { natsServerMissing, TestNatsServer } from "./testing/nats-server.ts";

const logger = createLogger("silent");

describe("NatsLink's writes", { skip: natsServerMissing() }, () => {
  let nats: TestNatsServer;
  const links: NatsLink[] = [];
  before(async () => {
    nats = await TestNatsServer.start();
  });
  after(async () => {
    await Promise.all(links.map((link) => link.close()));
    await nats.dispose();
  });

  async function open(name: string, flushGapMs?: number): Promise<NatsLink> {
    const link = await NatsLink.open({ url: nats.url, node: name, logger, flushGapMs });
    links.push(link);
    return link;
  }

  test("with a flush gap, an idle link sends at once and a busy one waits out the gap, losing and reordering nothing", async () => {
    const gapMs = 500;
    const sender = await open("sender", gapMs);
    const receiver = await open("receiver");
    const arrivals: Array<{ data: string; atMs: number }> = [];
    let onArrival = () => {};
    receiver.subscribe("gap.test", (msg) => {
      arrivals.push({ data: msg.string(), atMs: performance.now() });
      onArrival();
    });
    await receiver.flush();
    const arrived = (count: number) =>
      new Promise<void>((resolve) => {
        onArrival = () => {
          if (arrivals.length >= count) resolve();
        };
        onArrival();
      });

    const startMs = performance.now();
    sender.publish("gap.test", "first");
    await arrived(1);
    for (let i = 2; i <= 5; i++) sender.publish("gap.test", `m${i}`);
    await arrived(5);

    assert.deepEqual(
      arrivals.map((a) => a.data),
      ["first", "m2", "m3", "m4", "m5"],
    );
    const [first, second] = arrivals;
    assert.ok(first && second);
    assert.ok(first.atMs - startMs < gapMs, "an idle link does not wait");
    // Timers may fire a millisecond early; the gap is counted from the first write.
    assert.ok(second.atMs - startMs >= gapMs - 2, `the rest waited ${second.atMs - startMs} ms`);
  });

  test("a reply rides on a room event while it waits to leave, and not after", async () => {
    const sender = await open("owner", 300);
    const receiver = await open("asker");
    const received: string[] = [];
    let onArrival = () => {};
    receiver.subscribe("room.r1", (msg) => {
      received.push(msg.string());
      onArrival();
    });
    await receiver.flush();
    const event = { node: "owner", incarnation: "i", seq: 1, sentAtMs: 0, except: "", text: "{}" };
    const ride = (data: string) => withReply(data, "clofri.inbox.asker.1", '{"ok":true}');
    sender.publish("room.r0", "another room's event");
    assert.equal(sender.amendQueued("room.r1", ride), false, "nothing queued for that room");
    sender.publish("room.r1", encodeRoomEvent(event));
    assert.equal(sender.amendQueued("room.r1", ride), true);
    await new Promise<void>((resolve) => {
      onArrival = resolve;
    });
    assert.equal(received.length, 1, "one message for the event and its reply");
    assert.deepEqual(decodeRoomEvent(received[0] ?? "")?.reply, {
      to: "clofri.inbox.asker.1",
      text: '{"ok":true}',
    });
    assert.equal(sender.amendQueued("room.r1", ride), false, "it left: the reply goes on its own");
  });
});
