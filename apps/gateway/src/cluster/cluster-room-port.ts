import type { RoomPort, UserDelivery } from "../chat/room-port.ts";
import { type Delivery, encodeGroupEvent, encodeRoomEvent, withReply } from "./envelope.ts";
import type { NatsLink } from "./nats-link.ts";
import { deliverySubject, groupEventsSubject, roomEventsSubject, SUBJECTS } from "./subjects.ts";

/** A socket of another node that joined one of this node's rooms. */
interface RemoteConnection {
  node: string;
  userId: string;
  groups: Set<string>;
}

export interface ClusterRoomPortDeps {
  /** This node's own sockets, on uWS topics. */
  local: RoomPort;
  isLocal(connId: string): boolean;
  link: NatsLink;
  node: string;
  incarnation(): string;
}

/**
 * The port of the rooms this node owns, in cluster mode: its own sockets as before; another
 * node's sockets through NATS — a room event published once per room subject (each node with
 * sockets in the room relays it to its own uWS topic), a direct frame to that node.
 */
export class ClusterRoomPort implements RoomPort {
  readonly #deps: ClusterRoomPortDeps;
  readonly #remote = new Map<string, RemoteConnection>();
  /** Remote sockets joined, per room: no NATS publish for a room nobody elsewhere is in. */
  readonly #remoteCount = new Map<string, number>();
  readonly #seqs = new Map<string, number>();

  constructor(deps: ClusterRoomPortDeps) {
    this.#deps = deps;
  }

  /** A socket of `node` is joining `groupId` here: what the room sends it goes to that node. */
  rememberRemote(connId: string, node: string, userId: string): void {
    if (this.#deps.isLocal(connId)) return;
    const known = this.#remote.get(connId);
    if (known === undefined) this.#remote.set(connId, { node, userId, groups: new Set() });
  }

  /** The node of a joined socket: this one's own, or the one its join came from. */
  nodeOf(connId: string): string | undefined {
    return this.#deps.isLocal(connId) ? this.#deps.node : this.#remote.get(connId)?.node;
  }

  /** A room handed over to this node: its sockets elsewhere are joined to it already. */
  adoptRemote(groupId: string, connId: string, node: string, userId: string): void {
    if (this.#deps.isLocal(connId)) return;
    this.rememberRemote(connId, node, userId);
    const remote = this.#remote.get(connId);
    if (remote === undefined || remote.groups.has(groupId)) return;
    remote.groups.add(groupId);
    this.#remoteCount.set(groupId, (this.#remoteCount.get(groupId) ?? 0) + 1);
  }

  /** A join that failed leaves nothing behind. */
  forgetIfNotJoined(connId: string): void {
    if (this.#remote.get(connId)?.groups.size === 0) this.#remote.delete(connId);
  }

  /** The remote sockets of a node (it died: the rooms drop them after the grace). */
  remoteOf(node: string): Array<{ connId: string; userId: string; groups: string[] }> {
    const found = [];
    for (const [connId, remote] of this.#remote) {
      if (remote.node === node)
        found.push({ connId, userId: remote.userId, groups: [...remote.groups] });
    }
    return found;
  }

  /** The room's event sequence, for a successor to go on from. */
  eventSeq(groupId: string): number {
    return this.#seqs.get(groupId) ?? 0;
  }

  publishRoom(groupId: string, text: string): void {
    this.#deps.local.publishRoom(groupId, text);
    this.#publishRemote(groupId, text, "");
  }

  publishRoomExcept(connId: string, groupId: string, text: string): void {
    if (this.#deps.isLocal(connId)) this.#deps.local.publishRoomExcept(connId, groupId, text);
    else this.#deps.local.publishRoom(groupId, text);
    this.#publishRemote(groupId, text, connId);
  }

  publishPresence(groupId: string, text: string): void {
    this.#deps.local.publishPresence(groupId, text);
    this.#deps.link.publish(groupEventsSubject(groupId), encodeGroupEvent(this.#deps.node, text));
  }

  /** Here on the users' topics, and to every other node in one NATS message for all of them. */
  publishToUsers(deliveries: readonly UserDelivery[], mayWait = false): void {
    this.#deps.local.publishToUsers(deliveries, mayWait);
    const event = { node: this.#deps.node, deliveries, mayWait };
    this.#deps.link.publish(SUBJECTS.userDeliveries, JSON.stringify(event));
  }

  sendTo(connId: string, text: string): void {
    if (this.#deps.isLocal(connId)) this.#deps.local.sendTo(connId, text);
    else this.#deliver(this.#remote.get(connId)?.node, { connId, send: text });
  }

  subscribeRoom(connId: string, groupId: string): void {
    if (this.#deps.isLocal(connId)) {
      this.#deps.local.subscribeRoom(connId, groupId);
      return;
    }
    const remote = this.#remote.get(connId);
    if (remote !== undefined && !remote.groups.has(groupId)) {
      remote.groups.add(groupId);
      this.#remoteCount.set(groupId, (this.#remoteCount.get(groupId) ?? 0) + 1);
    }
    const from = `${this.#deps.node} ${this.#deps.incarnation()}`;
    this.#deliver(remote?.node, { connId, subscribe: groupId, from, seq: this.eventSeq(groupId) });
  }

  unsubscribeRoom(connId: string, groupId: string): void {
    if (this.#deps.isLocal(connId)) {
      this.#deps.local.unsubscribeRoom(connId, groupId);
      return;
    }
    const node = this.#remote.get(connId)?.node;
    this.forgetRemote(connId, groupId);
    this.#deliver(node, { connId, unsubscribe: groupId });
  }

  /**
   * Lets the reply to a send from another node ride on the room's latest event, when that event
   * has not left yet: the asking node hears the room until its answer (it said so), so one
   * message instead of two. False when it cannot; the caller then replies on its own.
   */
  attachReply(groupId: string, replyTo: string, text: string): boolean {
    return this.#deps.link.amendQueued(roomEventsSubject(groupId), (data) =>
      withReply(data, replyTo, text),
    );
  }

  /** The socket of another node is out of the room (it closed, or the room let it go). */
  forgetRemote(connId: string, groupId: string): void {
    const remote = this.#remote.get(connId);
    if (remote === undefined || !remote.groups.delete(groupId)) return;
    const left = (this.#remoteCount.get(groupId) ?? 1) - 1;
    if (left > 0) this.#remoteCount.set(groupId, left);
    else this.#remoteCount.delete(groupId);
    // Kept to the end of the turn: a room that lets a socket go may still tell it why (a room
    // given up unsubscribes everyone, then sends each the error).
    if (remote.groups.size === 0) {
      queueMicrotask(() => {
        if (remote.groups.size === 0 && this.#remote.get(connId) === remote) {
          this.#remote.delete(connId);
        }
      });
    }
  }

  #publishRemote(groupId: string, text: string, except: string): void {
    const seq = (this.#seqs.get(groupId) ?? 0) + 1;
    this.#seqs.set(groupId, seq);
    if (!this.#remoteCount.has(groupId)) return;
    const { link, node, incarnation } = this.#deps;
    const event = { node, incarnation: incarnation(), seq, sentAtMs: Date.now(), except, text };
    link.publish(roomEventsSubject(groupId), encodeRoomEvent(event));
  }

  #deliver(node: string | undefined, delivery: Delivery): void {
    if (node === undefined) return;
    this.#deps.link.publish(deliverySubject(node), JSON.stringify(delivery));
  }
}
