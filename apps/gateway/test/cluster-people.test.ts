import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol";
import { clusterTestsSkipped, TestCluster } from "./cluster-harness.ts";
import { mintFixtures, TEST_ADMIN_TOKEN } from "./fixtures-client.ts";
import { closeAll, WsClient } from "./ws-client.ts";

const skip = clusterTestsSkipped();
if (skip !== undefined) console.log(`# ${skip}`);

describe("people across gateways", { skip }, () => {
  let cluster: TestCluster;
  const clients: WsClient[] = [];
  before(async () => {
    cluster = await TestCluster.start(3, { MAX_SOCKETS_PER_USER: "3" });
    await cluster.settled();
  });
  after(async () => {
    await closeAll(clients);
    await cluster?.dispose();
  });

  async function open(node: number, token: string) {
    const { client, hello } = await WsClient.open(cluster.node(node), token);
    clients.push(client);
    return { client, hello };
  }

  /**
   * Returns once `watcher` (a socket on another gateway) heard of a rename made through `node`:
   * NATS keeps one connection's messages in order, so whatever `node` published before (its
   * presence deltas) has reached the watcher's gateway too.
   */
  let renames = 0;
  async function caughtUp(node: number, person: { token: string }, watcher: WsClient) {
    const displayName = `renamed ${++renames}`;
    const patched = await fetch(`${cluster.node(node).base}/api/me`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${person.token}`, "content-type": "application/json" },
      body: JSON.stringify({ displayName }),
    });
    assert.equal(patched.status, 200);
    await watcher.next(
      (f) =>
        f.type === "profile_updated" &&
        (f.user as { displayName: string }).displayName === displayName,
    );
  }

  async function friends(count: number) {
    const { users } = await mintFixtures(cluster.node(0), {
      users: count,
      groups: [{ name: "friends", members: Array.from({ length: count }, (_, i) => i) }],
    });
    return users;
  }

  test("tabs of one person on two gateways are one person: friends see one online, one offline", async () => {
    const [alice, bob] = await friends(2);
    assert.ok(alice && bob);
    const bobSide = await open(2, bob.token);
    const tab1 = await open(0, alice.token);
    await bobSide.client.next((f) => f.type === "friend_online" && f.userId === alice.id);
    const tab2 = await open(1, alice.token);
    await tab1.client.close();
    await tab2.client.request({ type: "heartbeat" });
    // A second tab and the first one's close change nothing Bob can see.
    assert.equal((await bobSide.client.request({ type: "heartbeat" })).type, "heartbeat_ack");
    await tab2.client.close();
    await bobSide.client.next((f) => f.type === "friend_offline" && f.userId === alice.id);
    const seen = bobSide.client.received.filter(
      (f) => (f.type === "friend_online" || f.type === "friend_offline") && f.userId === alice.id,
    );
    assert.deepEqual(
      seen.map((f) => f.type),
      ["friend_online", "friend_offline"],
    );
    // A new socket's hello knows who is online on the other gateways.
    const carolsView = await open(1, bob.token);
    const listed = carolsView.hello.friends as Array<{ id: string; online: boolean }>;
    assert.equal(listed.find((f) => f.id === alice.id)?.online, false);
  });

  test("presence modes hold across gateways: busy, idle on every tab, appear offline", async () => {
    const [alice, bob] = await friends(2);
    assert.ok(alice && bob);
    const aliceSide = await open(0, alice.token);
    const bobTab1 = await open(1, bob.token);
    const bobTab2 = await open(2, bob.token);
    const about = (type: string) => (f: { type: string; userId?: unknown }) =>
      f.type === type && f.userId === bob.id;
    await aliceSide.client.next(about("friend_online"));
    const setMode = (node: number, presenceMode: string) =>
      fetch(`${cluster.node(node).base}/api/me`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${bob.token}`, "content-type": "application/json" },
        body: JSON.stringify({ presenceMode }),
      });
    assert.equal((await setMode(1, "busy")).status, 200);
    assert.equal((await aliceSide.client.next(about("friend_status"))).status, "busy");
    assert.equal((await bobTab2.client.next("presence_mode")).presenceMode, "busy");
    assert.equal((await setMode(2, "auto")).status, 200);
    assert.equal((await aliceSide.client.next(about("friend_status"))).status, "active");
    // Idle only once every tab, on both gateways, is idle.
    await bobTab1.client.request({ type: "heartbeat", idle: true });
    await bobTab2.client.request({ type: "heartbeat", idle: true });
    assert.equal((await aliceSide.client.next(about("friend_status"))).status, "idle");
    await bobTab1.client.request({ type: "heartbeat", idle: false });
    assert.equal((await aliceSide.client.next(about("friend_status"))).status, "active");

    assert.equal((await setMode(0, "offline")).status, 200);
    await aliceSide.client.next(about("friend_offline"));
    const fresh = await open(2, alice.token);
    const listed = fresh.hello.friends as Array<{ id: string; online: boolean; status: string }>;
    assert.deepEqual(
      listed.filter((f) => f.id === bob.id).map((f) => [f.online, f.status]),
      [[false, "offline"]],
    );
    await bobTab1.client.close();
    const bobTab3 = await open(0, bob.token);
    await caughtUp(0, bob, aliceSide.client);
    assert.equal((bobTab3.hello.user as { presenceMode: string }).presenceMode, "offline");
    assert.equal(aliceSide.client.received.filter((f) => about("friend_online")(f)).length, 1);
  });

  test("group_added reaches a member on another gateway, who can join at once", async () => {
    const [alice, bob] = await friends(2);
    assert.ok(alice && bob);
    const bobSide = await open(1, bob.token);
    const created = await fetch(`${cluster.node(0).base}/api/groups`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "new", memberIds: [bob.id] }),
    });
    assert.equal(created.status, 201);
    const added = await bobSide.client.next("group_added");
    const group = (added.group as { id: string }).id;
    assert.equal((await bobSide.client.request({ type: "join", group })).type, "group_state");
  });

  test("revoking a person's sessions on one gateway closes their sockets on the others", async () => {
    const [dave] = await friends(1);
    assert.ok(dave);
    const sockets = await Promise.all([open(1, dave.token), open(2, dave.token)]);
    const revoked = await fetch(`${cluster.node(0).base}/admin/users/${dave.id}/revoke-sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(revoked.status, 200);
    for (const { client } of sockets) {
      assert.equal((await client.closed).code, CLOSE_CODES.sessionEnded);
    }
  });

  test("deleting my own account closes my sockets on every gateway with 4001", async () => {
    const [alice, bob] = await friends(2);
    assert.ok(alice && bob);
    const tab1 = await open(1, alice.token);
    const tab2 = await open(2, alice.token);
    const bobSide = await open(2, bob.token);
    const deleted = await fetch(`${cluster.node(0).base}/api/me`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ confirm: "delete my account" }),
    });
    assert.equal(deleted.status, 204);
    assert.equal((await tab1.client.closed).code, CLOSE_CODES.sessionEnded);
    assert.equal((await tab2.client.closed).code, CLOSE_CODES.sessionEnded);
    await bobSide.client.next((f) => f.type === "friend_removed" && f.userId === alice.id);
  });

  test("the socket cap counts a person's sockets on every gateway", async () => {
    const [erin] = await friends(1);
    assert.ok(erin);
    const watcher = await open(2, erin.token);
    await open(0, erin.token);
    await open(1, erin.token);
    await caughtUp(0, erin, watcher.client);
    await caughtUp(1, erin, watcher.client);
    for (const node of [0, 1, 2]) {
      assert.equal(
        await WsClient.refusal(cluster.node(node), erin.token),
        CLOSE_CODES.tooManySockets,
      );
    }
  });

  test("/health names the cluster; /metrics has its families", async () => {
    const health = (await (await fetch(`${cluster.node(1).base}/health`)).json()) as {
      status: string;
      cluster: { node: string; nodes: string[]; nats: string };
    };
    assert.equal(health.status, "ok");
    assert.equal(health.cluster.node, cluster.node(1).name);
    assert.deepEqual(health.cluster.nodes, cluster.nodes.map((node) => node.name).sort());
    assert.equal(health.cluster.nats, "connected");
    const metrics = await (await fetch(`${cluster.node(1).base}/metrics`)).text();
    assert.match(metrics, /^clofri_cluster_nodes 3$/m);
    for (const family of [
      "clofri_cluster_rooms_owned gauge",
      "clofri_cluster_forwarded_total counter",
      "clofri_cluster_relay_lag_seconds histogram",
      "clofri_cluster_ownership_changes_total counter",
      "clofri_cluster_nats_reconnects_total counter",
    ]) {
      assert.match(metrics, new RegExp(`^# TYPE ${family}$`, "m"), family);
    }
  });

  test("the message budget is the person's across gateways", async () => {
    const [fay, gus] = await friends(2);
    assert.ok(fay && gus);
    const created = await fetch(`${cluster.node(0).base}/api/groups`, {
      method: "POST",
      headers: { authorization: `Bearer ${fay.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "budget", memberIds: [gus.id] }),
    });
    const group = ((await created.json()) as { group: { id: string } }).group.id;
    const tabs = await Promise.all([open(0, fay.token), open(1, fay.token)]);
    for (const { client } of tabs) await client.request({ type: "join", group });
    // Both gateways know Fay is on two of them before she sends.
    const [onFirst, onSecond] = tabs;
    assert.ok(onFirst && onSecond);
    await caughtUp(0, fay, onSecond.client);
    await caughtUp(1, fay, onFirst.client);
    const replies = await Promise.all(
      tabs.flatMap(({ client }, t) =>
        Array.from({ length: 5 }, (_, i) =>
          client.request({ type: "send", group, text: `x${t}${i}`, key: `${t}-${i}` }),
        ),
      ),
    );
    const acked = replies.filter((reply) => reply.type === "ack").length;
    assert.ok(acked <= 5, `at most the burst of 5 across both gateways, got ${acked}`);
    assert.ok(acked >= 2, `some got through, got ${acked}`);
  });
});
