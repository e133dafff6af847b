import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol";
import { clusterTestsSkipped, TestCluster } from "./cluster-harness.ts";
import { mintFixtures } from "./fixtures-client.ts";
import { closeAll, type Frame, WsClient } from "./ws-client.ts";

const skip = clusterTestsSkipped();
if (skip !== undefined) console.log(`# ${skip}`);

const RECOVERY_MS = 10_000;
/** NATS coming back takes its own seconds on a busy machine before the cluster catches up. */
const NATS_RECOVERY_MS = 20_000;

describe("a cluster losing a part", { skip }, () => {
  let cluster: TestCluster | undefined;
  const clients: WsClient[] = [];
  afterEach(async () => {
    await closeAll(clients.splice(0));
    await cluster?.dispose();
    cluster = undefined;
  });

  async function start(nodes: number, env: Record<string, string> = {}) {
    cluster = await TestCluster.start(nodes, { PRESENCE_GRACE_MS: "1000", ...env });
    await cluster.settled();
    return cluster;
  }

  /** People in one group; the first joins first through node 0, so node 0 owns the room. */
  async function room(c: TestCluster, nodes: number[]) {
    const { users, groups } = await mintFixtures(c.node(0), {
      users: nodes.length,
      groups: [{ name: "room", members: nodes.map((_, i) => i) }],
    });
    const group = groups[0]?.id;
    assert.ok(group);
    const sides = [];
    for (const [i, node] of nodes.entries()) {
      const user = users[i];
      assert.ok(user);
      const { client } = await WsClient.open(c.node(node), user.token);
      clients.push(client);
      const state = await client.request({ type: "join", group });
      assert.equal(state.type, "group_state");
      sides.push({ user, client, state });
    }
    return { group, sides };
  }

  function say(client: WsClient, group: string, text: string) {
    return client.request({ type: "send", group, text, key: text });
  }

  test("SIGTERM: the rooms go on at another gateway with the same epoch, and nothing is lost", async () => {
    const c = await start(2);
    const { group, sides } = await room(c, [0, 1]);
    const [alice, bob] = sides;
    assert.ok(alice && bob);
    for (const text of ["one", "two", "three"]) await say(alice.client, group, text);
    await bob.client.until(() => bob.client.count("message") === 3, "three messages");
    assert.equal((await bob.client.request({ type: "read", group, seq: 2 })).type, "ack");

    c.node(0).process.child.kill("SIGTERM");
    assert.equal((await alice.client.closed).code, CLOSE_CODES.goingAway);
    assert.equal((await c.node(0).process.exited).code, 0);

    // Alice comes back through the other gateway and resumes.
    const { client: again } = await WsClient.open(c.node(1), alice.user.token);
    clients.push(again);
    const resumed = await again.request({
      type: "join",
      group,
      epoch: alice.state.epoch,
      afterSeq: 3,
    });
    assert.equal(resumed.epoch, alice.state.epoch, "the same epoch");
    assert.deepEqual(resumed.messages, [], "nothing missed");
    assert.equal(resumed.expired, 0);
    const marks = Object.fromEntries(
      (resumed.members as Frame[]).map((member) => [member.userId, member.readSeq]),
    );
    assert.equal(marks[bob.user.id], 2, "read marks went over with the room");
    const four = await say(bob.client, group, "four");
    assert.equal(four.type, "ack");
    const seen = await again.next((f) => f.type === "message" && f.text === "four");
    assert.equal(seen.seq, 4, "seq goes on");
  });

  test("kill -9 of an owner: its rooms start again elsewhere within seconds, with a new epoch, and its people leave after the grace", async () => {
    const c = await start(3);
    const { group, sides } = await room(c, [0, 1, 2]);
    const [alice, bob, carol] = sides;
    assert.ok(alice && bob && carol);
    await say(alice.client, group, "before");
    await carol.client.until(() => carol.client.count("message") === 1, "the first message");

    const killedAt = performance.now();
    c.node(0).process.child.kill("SIGKILL");
    const fresh = await bob.client.next(
      (f) => f.type === "group_state" && f.epoch !== bob.state.epoch,
      RECOVERY_MS,
      "a group_state of the room's new epoch",
    );
    assert.ok(performance.now() - killedAt < RECOVERY_MS);
    assert.deepEqual(fresh.messages, [], "the buffer died with its owner");
    // Carol's gateway finds the new room on its own: her message comes as a frame once she is in.
    await carol.client.next(
      (f) => f.type === "group_state" && f.epoch === fresh.epoch,
      RECOVERY_MS,
      "Carol in the room's new epoch",
    );
    const after = await say(bob.client, group, "after");
    assert.equal(after.type, "ack", JSON.stringify(after));
    await carol.client.next((f) => f.type === "message" && f.text === "after", RECOVERY_MS);
    // Alice was only on the dead gateway: after the grace nobody shows her in the room.
    await carol.client.next(
      (f) => f.type === "user_left" && f.userId === alice.user.id,
      RECOVERY_MS,
      "Alice leaving after the grace",
    );
    const present = await fetch(`${c.node(1).base}/api/groups`, {
      headers: { authorization: `Bearer ${bob.user.token}` },
    });
    const groups = ((await present.json()) as { groups: Array<{ id: string; present: string[] }> })
      .groups;
    assert.ok(!groups.find((g) => g.id === group)?.present.includes(alice.user.id), "no ghost");
  });

  test("NATS restarted: local rooms go on, remote ones answer room_unavailable, /health says degraded; then all recovers, missed events included", async () => {
    const c = await start(2, { CLUSTER_LEASE_MS: "10000", CLUSTER_HEARTBEAT_MS: "500" });
    const { group, sides } = await room(c, [0, 1]);
    const [alice, bob] = sides;
    assert.ok(alice && bob);

    await c.nats.stop();
    const local = await say(alice.client, group, "while cut off");
    assert.equal(local.type, "ack", "the owner's own sockets chat on");
    const remote = await say(bob.client, group, "cannot reach");
    assert.equal(remote.code, "room_unavailable");
    const health = await fetch(`${c.node(1).base}/health`);
    const body = (await health.json()) as { status: string; cluster: { nats: string } };
    assert.equal(body.status, "degraded");
    assert.notEqual(body.cluster.nats, "connected");

    await c.nats.start();
    await c.settled();
    let back: Frame | undefined;
    let text = "";
    for (let attempt = 0; attempt < 50 && back?.type !== "ack"; attempt++) {
      text = `back ${attempt}`;
      back = await say(bob.client, group, text);
    }
    assert.equal(back?.type, "ack");
    await alice.client.next((f) => f.type === "message" && f.text === text);
    // What Bob's gateway missed while NATS was away reaches him after all.
    await bob.client.next(
      (f) =>
        (f.type === "message" && f.text === "while cut off") ||
        (f.type === "group_state" &&
          (f.messages as Frame[]).some((m) => m.text === "while cut off")),
      NATS_RECOVERY_MS,
      "the message sent during the outage",
    );
  });

  test("a gateway stopped past its lease fences itself when it wakes; its rooms went on elsewhere", async () => {
    const c = await start(2);
    const { group, sides } = await room(c, [0, 1]);
    const [alice, bob] = sides;
    assert.ok(alice && bob);
    const stopped = c.node(0).process.child;
    stopped.kill("SIGSTOP");
    try {
      await bob.client.next(
        (f) => f.type === "group_state" && f.epoch !== bob.state.epoch,
        RECOVERY_MS,
        "the room starting again at Bob's gateway",
      );
      assert.equal((await say(bob.client, group, "while it slept")).type, "ack");
    } finally {
      stopped.kill("SIGCONT");
    }
    assert.equal((await alice.client.closed).code, CLOSE_CODES.goingAway, "fenced: sockets closed");
    // Back in the cluster as a new incarnation, it serves the room from its new owner.
    await c.settled();
    const { client: again } = await WsClient.open(c.node(0), alice.user.token);
    clients.push(again);
    const state = await again.request({ type: "join", group });
    assert.ok((state.messages as Frame[]).some((m) => m.text === "while it slept"));
  });
});
