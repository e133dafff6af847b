import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { clusterTestsSkipped, TestCluster } from "./cluster-harness.ts";
import { mintFixtures } from "./fixtures-client.ts";
import { closeAll, type Frame, WsClient } from "./ws-client.ts";

const skip = clusterTestsSkipped();
if (skip !== undefined) console.log(`# ${skip}`);

describe("a room across three gateways", { skip }, () => {
  let cluster: TestCluster;
  const clients: WsClient[] = [];
  before(async () => {
    cluster = await TestCluster.start(3, {
      MESSAGES_PER_MINUTE: "100000",
      MESSAGE_BURST_PER_SECOND: "10000",
    });
    await cluster.settled();
  });
  after(async () => {
    await closeAll(clients);
    await cluster?.dispose();
  });

  /** Three friends in one group, each on their own gateway, all joined. */
  async function roomOfThree() {
    const { users, groups } = await mintFixtures(cluster.node(0), {
      users: 3,
      groups: [{ name: "three", members: [0, 1, 2] }],
    });
    const group = groups[0]?.id;
    assert.ok(group);
    const sides = await Promise.all(
      users.map(async (user, i) => {
        const { client } = await WsClient.open(cluster.node(i), user.token);
        clients.push(client);
        return { user, client };
      }),
    );
    for (const { client } of sides) {
      const state = await client.request({ type: "join", group });
      assert.equal(state.type, "group_state", JSON.stringify(state));
    }
    return { group, sides };
  }

  test("presence and typing reach every member, whichever gateway they are on", async () => {
    const { group, sides } = await roomOfThree();
    const [a, b, c] = sides;
    assert.ok(a && b && c);
    for (const other of [b, c]) {
      await a.client.next((f) => f.type === "user_joined" && f.userId === other.user.id);
    }
    await b.client.request({ type: "typing_start", group });
    for (const watcher of [a, c]) {
      const typing = await watcher.client.next("user_typing");
      assert.equal(typing.userId, b.user.id);
    }
    await c.client.close();
    for (const watcher of [a, b]) {
      await watcher.client.next((f) => f.type === "user_left" && f.userId === c.user.id);
    }
  });

  test("group_activity reaches a member outside the room on another gateway; read_up_to too", async () => {
    const { users, groups } = await mintFixtures(cluster.node(0), {
      users: 3,
      groups: [{ name: "aware", members: [0, 1, 2] }],
    });
    const group = groups[0]?.id;
    const [alice, bob, carol] = users;
    assert.ok(group && alice && bob && carol);
    const open = async (i: number, token: string) => {
      const { client } = await WsClient.open(cluster.node(i), token);
      clients.push(client);
      return client;
    };
    const a = await open(0, alice.token);
    const b = await open(1, bob.token);
    const c = await open(2, carol.token);
    for (const client of [a, b]) await client.request({ type: "join", group });
    const sent = await a.request({
      type: "send",
      group,
      text: "@carol over here",
      key: "k",
      mentions: [carol.id],
    });
    const activity = await c.next((f) => f.type === "group_activity" && f.group === group);
    assert.deepEqual([activity.unread, activity.mentioned, activity.seq], [1, true, 1]);
    assert.equal(activity.lastActivityAt, sent.ts);
    await b.request({ type: "read", group, seq: 1 });
    const read = await a.next((f) => f.type === "read_up_to" && f.group === group);
    assert.deepEqual([read.userId, read.seq], [bob.id, 1]);
  });

  test("one seq order at every member; a retried key is acked again and not delivered twice", async () => {
    const { group, sides } = await roomOfThree();
    const sends = sides.flatMap(({ client }, i) =>
      Array.from({ length: 10 }, (_, n) =>
        client.request({ type: "send", group, text: `m${i}-${n}`, key: `k${i}-${n}` }),
      ),
    );
    const acks = await Promise.all(sends);
    assert.ok(
      acks.every((ack) => ack.type === "ack"),
      JSON.stringify(acks.find((a) => a.type !== "ack")),
    );
    const orders = await Promise.all(
      sides.map(async ({ client }) => {
        await client.until(() => client.count("message") >= 30, "30 messages", 10_000);
        return client.all("message").map((m: Frame) => `${m.seq}:${m.text}`);
      }),
    );
    assert.deepEqual(orders[1], orders[0]);
    assert.deepEqual(orders[2], orders[0]);
    assert.deepEqual(
      orders[0]?.map((entry) => Number(entry.split(":")[0])),
      Array.from(
        { length: 30 },
        (_, i) => (orders[0] ? Number(orders[0][0]?.split(":")[0]) : 0) + i,
      ),
      "contiguous seqs",
    );

    const [first] = sides;
    assert.ok(first);
    const retried = await first.client.request({ type: "send", group, text: "m0-0", key: "k0-0" });
    const original = acks[0];
    assert.deepEqual({ id: retried.id, ts: retried.ts }, { id: original?.id, ts: original?.ts });
    const marker = await first.client.request({ type: "send", group, text: "after", key: "z" });
    for (const { client } of sides) {
      await client.next((f) => f.type === "message" && f.id === marker.id);
      assert.equal(client.count("message"), 31, "the retry was not delivered again");
    }
  });

  test("unsend, edit, a reaction and a reply made on one gateway reach members on the others", async () => {
    const { group, sides } = await roomOfThree();
    const [a, b, c] = sides;
    assert.ok(a && b && c);
    const sent = await a.client.request({ type: "send", group, text: "draft", key: "x1" });
    const gone = await a.client.request({ type: "send", group, text: "oops", key: "x2" });
    const reply = await b.client.request({
      type: "send",
      group,
      text: "re",
      key: "x3",
      replyTo: sent.id,
    });
    await b.client.request({ type: "react", group, id: sent.id, emoji: "👍", on: true });
    await a.client.request({ type: "edit", group, id: sent.id, text: "final" });
    await a.client.request({ type: "unsend", group, id: gone.id });
    for (const { client } of [b, c]) {
      const quoted = await client.next((f) => f.type === "message" && f.id === reply.id);
      assert.equal((quoted.replyTo as Frame).excerpt, "draft");
      await client.next((f) => f.type === "reaction" && f.id === sent.id);
      await client.next((f) => f.type === "message_edited" && f.text === "final");
      await client.next((f) => f.type === "message_removed" && f.id === gone.id);
    }
    const state = await c.client.request({ type: "join", group });
    const shown = (state.messages as Frame[]).map((m) => [m.text, m.reactions]);
    assert.deepEqual(shown, [
      ["final", { "👍": [b.user.id] }],
      ["re", {}],
    ]);
  });
});
