import type { Clock } from "@clofri/actors";
import { encode } from "@clofri/protocol";
import type { RoomsEvent } from "../chat/room-events.ts";
import type { RoomPort } from "../chat/room-port.ts";
import type { RoomSupervisor } from "../chat/room-supervisor.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { ClusterNode, NodeEvents } from "./cluster-node.ts";
import { ClusterRoomPort } from "./cluster-room-port.ts";
import { ClusterRooms, type RoomNodeDeps } from "./cluster-rooms.ts";
import { EventRelay } from "./event-relay.ts";
import type { HandOver } from "./room-requests.ts";
import { type AdoptAnswer, RoomService } from "./room-service.ts";
import { nodeSubject } from "./subjects.ts";

export interface ClusterRealtimeDeps {
  cluster: ClusterNode;
  /** This node's sockets, on uWS topics. */
  localPort: RoomPort;
  isLocal(connId: string): boolean;
  logger: Logger;
  metrics: GatewayMetrics;
  clock: Clock;
  /** How long a dead node's people stay in rooms (PRESENCE_GRACE_MS). */
  graceMs: number;
}

/**
 * The rooms of a cluster node, wired: the owner's port for the supervisor, the router the edge
 * calls, the relay of other owners' events, the service answering other nodes, and what happens
 * when a node dies or this one leaves.
 */
export class ClusterRealtime {
  readonly port: ClusterRoomPort;
  readonly #deps: ClusterRealtimeDeps;
  #rooms: ClusterRooms | undefined;
  #local: RoomSupervisor | undefined;
  #relay: EventRelay | undefined;
  #service: RoomService | undefined;
  #ownershipChanges = 0;

  constructor(deps: ClusterRealtimeDeps) {
    this.#deps = deps;
    const { cluster } = deps;
    this.port = new ClusterRoomPort({
      local: deps.localPort,
      isLocal: deps.isLocal,
      link: cluster.link,
      node: cluster.node,
      incarnation: () => cluster.membership.incarnation,
    });
  }

  /** The router over the supervisor of this node's rooms (built with `port`). */
  attach(local: RoomSupervisor): ClusterRooms {
    const { cluster, logger } = this.#deps;
    const relay = new EventRelay({
      link: cluster.link,
      node: cluster.node,
      local: this.#deps.localPort,
      logger,
      onGroupEvent: (groupId, text, node) => rooms.remotePresence.apply(groupId, text, node),
      onGap: (groupId) => rooms.rejoin(groupId),
      onLag: (seconds) => this.#deps.metrics.relayLag(seconds),
      onReply: (replyTo, text) => cluster.rpc.answer(replyTo, text),
    });
    const shared: RoomNodeDeps = {
      node: cluster.node,
      membership: cluster.membership,
      ownership: cluster.ownership,
      rpc: cluster.rpc,
      local,
      port: this.port,
      logger,
    };
    const rooms = new ClusterRooms({ ...shared, relay, isConnected: this.#deps.isLocal });
    this.#service = new RoomService({ ...shared, rooms });
    this.#local = local;
    this.#relay = relay;
    this.#rooms = rooms;
    this.#countOwnershipChanges();
    this.#deps.metrics.enableCluster({
      nodes: () => cluster.membership.liveNodes.length,
      roomsOwned: () => local.groupIds().length,
      natsReconnects: () => cluster.link.reconnects,
      ownershipChanges: () => this.#ownershipChanges,
      forwarded: () => rooms.forwarded(),
    });
    return rooms;
  }

  start(events: Omit<NodeEvents, "onNodeUp" | "onNodeDown">): void {
    this.#relay?.start();
    this.#service?.start();
    // Core NATS is at-most-once: after a loss, rooms owned elsewhere are joined again afresh.
    this.#deps.cluster.link.onStatus((status) => {
      if (status !== "connected") return;
      for (const groupId of this.#relay?.groups() ?? []) this.#rooms?.rejoin(groupId);
    });
    this.#deps.cluster.start({
      ...events,
      onNodeUp: (node) => void this.#learnPresent(node),
      onNodeDown: (node) => this.#nodeDown(node),
    });
  }

  /** A room stopped here on its own (lingered out, given up): its entry is freed. */
  roomEvent = (event: RoomsEvent): void => {
    if (event.type !== "room_stopped" && event.type !== "room_gave_up") return;
    if (this.#rooms?.isMoving(event.groupId)) return;
    const { ownership, node } = this.#deps.cluster;
    const owner = ownership.ownerOf(event.groupId);
    if (owner?.node === node) void ownership.release(event.groupId, owner);
  };

  /** SIGTERM: each room this node owns goes on at another live node, memory and all. */
  async handOver(): Promise<void> {
    const local = this.#local;
    const rooms = this.#rooms;
    if (local === undefined || rooms === undefined) return;
    const { cluster, logger } = this.#deps;
    const successors = cluster.membership.liveNodes.filter((node) => node !== cluster.node);
    await Promise.all(
      local.groupIds().map(async (groupId, i) => {
        const owner = cluster.ownership.ownerOf(groupId);
        const successor = successors[i % Math.max(1, successors.length)];
        if (owner?.node !== cluster.node || successor === undefined) return;
        rooms.markMoving(groupId, true);
        const snapshot = await local.handOver(groupId);
        if (snapshot === undefined) return;
        const handOver: HandOver = { snapshot, owner, connections: this.#connections(snapshot) };
        const request = JSON.stringify({ op: "adopt", from: cluster.node, handOver });
        const answer = await cluster.rpc.ask(nodeSubject(successor), request);
        const adopted = answer.ok ? (JSON.parse(answer.text) as AdoptAnswer) : { ok: false };
        if (adopted.ok && "owner" in adopted) cluster.ownership.learn(groupId, adopted.owner);
        else {
          logger.warn({ event: "cluster_hand_over_failed", groupId, successor });
          await cluster.ownership.release(groupId, owner);
        }
      }),
    );
  }

  #countOwnershipChanges(): void {
    this.#deps.cluster.ownership.onChange(() => {
      this.#ownershipChanges++;
    });
  }

  async close(): Promise<void> {
    this.#relay?.stop();
    this.#service?.stop();
    await this.#deps.cluster.close();
  }

  #connections(snapshot: HandOver["snapshot"]): HandOver["connections"] {
    const connections: HandOver["connections"] = [];
    for (const member of snapshot.members) {
      for (const [connId] of member.connections) {
        const node = this.port.nodeOf(connId) ?? this.#deps.cluster.node;
        connections.push({ connId, node, userId: member.userId });
      }
    }
    return connections;
  }

  /** A node came up: who is in the rooms it owns. */
  async #learnPresent(node: string): Promise<void> {
    const { cluster } = this.#deps;
    const answer = await cluster.rpc.ask(
      nodeSubject(node),
      JSON.stringify({ op: "present", from: cluster.node }),
    );
    if (answer.ok) {
      const rooms = JSON.parse(answer.text) as Record<string, string[]>;
      this.#rooms?.remotePresence.learn(node, rooms);
    }
  }

  /**
   * A node died: its sockets leave this node's rooms after the grace; this node's sockets in its
   * rooms join again (the room starts anew elsewhere); and whoever was in its rooms and does not
   * come back within the grace is shown leaving.
   */
  #nodeDown(node: string): void {
    const rooms = this.#rooms;
    const local = this.#local;
    if (rooms === undefined || local === undefined) return;
    for (const { connId, userId, groups } of this.port.remoteOf(node)) {
      for (const groupId of groups) {
        this.port.forgetRemote(connId, groupId);
        local.disconnect(groupId, { connId, userId, isClean: false });
      }
    }
    const wasPresent = rooms.remotePresence.takeFrom(node);
    const rejoining = rooms.groupsJoinedThrough(node);
    this.#deps.logger.info({ event: "cluster_node_down", node, rejoining: rejoining.length });
    for (const groupId of rejoining) rooms.rejoin(groupId);
    const { clock } = this.#deps;
    const timer = clock.setTimeout(() => this.#showLeft(wasPresent), this.#deps.graceMs);
    clock.setKeepAlive?.(timer, false);
  }

  #showLeft(wasPresent: Map<string, Set<string>>): void {
    const rooms = this.#rooms;
    if (rooms === undefined) return;
    for (const [groupId, userIds] of wasPresent) {
      const now = new Set(rooms.presentIn(groupId));
      for (const userId of userIds) {
        if (now.has(userId)) continue;
        this.#deps.localPort.publishPresence(
          groupId,
          encode({ type: "user_left", group: groupId, userId }),
        );
      }
    }
  }
}
