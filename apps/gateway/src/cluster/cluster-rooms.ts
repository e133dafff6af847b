import type { Activity } from "../chat/room-activity.ts";
import type {
  DisconnectRequest,
  JoinRequest,
  JoinResult,
  RoomCall,
  RoomCastMsg,
  RoomReplies,
  SendRequest,
  SendResult,
} from "../chat/room-messages.ts";
import type { RoomSupervisor } from "../chat/room-supervisor.ts";
import type { PlainCallType, Rooms } from "../chat/rooms.ts";
import type { Logger } from "../obs/logger.ts";
import type { ClusterRoomPort } from "./cluster-room-port.ts";
import type { EventRelay } from "./event-relay.ts";
import type { Membership } from "./membership.ts";
import { activityElsewhere } from "./remote-activity.ts";
import { RemoteJoins } from "./remote-joins.ts";
import { RemotePresence } from "./remote-presence.ts";
import type { Owner, RoomOwnership } from "./room-ownership.ts";
import { type RoomRequest, replyFrom, unreachable } from "./room-requests.ts";
import type { Rpc } from "./rpc.ts";
import { nodeSubject } from "./subjects.ts";

/** What both sides of a room call need: the router here, and the service answering other nodes. */
export interface RoomNodeDeps {
  node: string;
  membership: Membership;
  ownership: RoomOwnership;
  rpc: Rpc;
  /** The rooms this node owns. */
  local: RoomSupervisor;
  port: ClusterRoomPort;
  logger: Logger;
}

export interface ClusterRoomsDeps extends RoomNodeDeps {
  relay: EventRelay;
  /** Whether a socket of this node is still open (one that closed is not joined again). */
  isConnected(connId: string): boolean;
}

/** Joining again is tried for as long as the socket is open, at most this far apart. */
const REJOIN_BACKOFF_MS = 250;
const REJOIN_MAX_DELAY_MS = 2_000;
const REJOIN_WARN_AFTER = 5;

/** How often a request follows a room that moved (hand-over) before giving up. */
const MAX_HOPS = 4;

type OnSent = (result: SendResult) => void;

/**
 * The rooms of the whole cluster, as the edge sees them: each room runs where its owner is, and
 * a call made here reaches it — at once when that is this node, over NATS when not. A room with
 * no live owner is claimed by the node that needs it.
 */
export class ClusterRooms implements Rooms {
  readonly #deps: ClusterRoomsDeps;
  readonly #remoteJoins = new RemoteJoins();
  /** Who is in each room owned elsewhere, by the node that told (its owner, or a past one). */
  readonly #present = new RemotePresence();
  /** Rooms moving away (asked to look again); requests forwarded by kind. */
  readonly #moving = new Set<string>();
  readonly #forwarded = new Map<string, number>();

  constructor(deps: ClusterRoomsDeps) {
    this.#deps = deps;
    deps.ownership.onChange((groupId, owner) => this.#ownerChanged(groupId, owner));
  }

  async join(groupId: string, request: JoinRequest): Promise<JoinResult> {
    const { relay } = this.#deps;
    for (let hop = 1; ; hop++) {
      const owner = await this.#ownerOf(groupId);
      if (owner === undefined) return unreachable(groupId);
      if (owner.node === this.#deps.node) return this.#deps.local.join(groupId, request);
      relay.retain(groupId, request.connId);
      const reply = await this.#ask<JoinResult>(owner, {
        op: "join",
        group: groupId,
        from: this.#deps.node,
        request,
      });
      if (reply === "not_owner" && hop < MAX_HOPS) continue;
      if (reply === "not_owner" || !reply.ok) {
        relay.release(groupId, request.connId);
        return reply === "not_owner" ? unreachable(groupId) : reply;
      }
      const { ref: _ref, ...again } = request;
      this.#remoteJoins.add(groupId, owner, request.connId, again);
      return reply;
    }
  }

  async call<Type extends PlainCallType>(
    groupId: string,
    msg: RoomCall<Type>,
  ): Promise<RoomReplies[Type]> {
    for (let hop = 1; ; hop++) {
      const owner = await this.#ownerOf(groupId);
      if (owner === undefined) return unreachable(groupId) as RoomReplies[Type];
      if (owner.node === this.#deps.node) return this.#deps.local.call(groupId, msg);
      const request = { op: "call", group: groupId, from: this.#deps.node, msg } as RoomRequest;
      const reply = await this.#ask<RoomReplies[Type]>(owner, request);
      if (reply !== "not_owner") {
        if (msg.type === "leave" && reply.ok && "connId" in msg) {
          this.#forgetJoin(groupId, msg.connId);
        }
        return reply;
      }
      if (hop === MAX_HOPS) return unreachable(groupId) as RoomReplies[Type];
    }
  }

  cast(groupId: string, msg: Exclude<RoomCastMsg, { type: "disconnect" }>): void {
    const owner = this.#deps.ownership.ownerOf(groupId);
    if (owner === undefined) return;
    if (owner.node === this.#deps.node) this.#deps.local.cast(groupId, msg);
    else this.#tell(owner, { op: "cast", group: groupId, from: this.#deps.node, msg });
  }

  disconnect(groupId: string, request: DisconnectRequest): void {
    this.#forgetJoin(groupId, request.connId);
    const owner = this.#deps.ownership.ownerOf(groupId);
    if (owner === undefined || owner.node === this.#deps.node) {
      this.#deps.local.disconnect(groupId, request);
      return;
    }
    this.#tell(owner, { op: "disconnect", group: groupId, from: this.#deps.node, request });
  }

  send(groupId: string, request: SendRequest, onResult: OnSent): void {
    const { ownership, membership, node, relay } = this.#deps;
    const owner = ownership.ownerOf(groupId);
    if (owner?.node === node) {
      this.#deps.local.send(groupId, request, onResult);
      return;
    }
    // Heard here until the answer (it may ride on the room's event), whatever the socket does.
    relay.holdForSend(groupId);
    if (owner === undefined || !membership.isIncarnationAlive(owner.node, owner.incarnation)) {
      this.#sendAway(groupId, request, 1, onResult);
      return;
    }
    // The owner is known and alive, as nearly always: straight to NATS, no promise on the way.
    this.#count("send");
    const send = this.#forwardedSend(groupId, request);
    this.#deps.rpc.request(nodeSubject(owner.node), JSON.stringify(send), (answer) => {
      const reply = replyFrom<SendResult>(answer, groupId);
      if (reply === "not_owner") this.#sendAway(groupId, request, 2, onResult);
      else {
        relay.releaseSend(groupId);
        onResult(reply);
      }
    });
  }

  presentIn(groupId: string): string[] {
    const owner = this.#deps.ownership.ownerOf(groupId);
    if (owner === undefined) return [];
    if (owner.node === this.#deps.node) return this.#deps.local.presentIn(groupId);
    return this.#present.presentIn(groupId, owner.node);
  }

  /** Read from the room when it runs here; `activityElsewhere` asks the other owners. */
  activityOf(groupId: string, userId: string): Activity {
    return this.#deps.local.activityOf(groupId, userId);
  }

  activityElsewhere(userId: string, groupIds: readonly string[]): Promise<Map<string, Activity>> {
    return activityElsewhere(this.#deps, userId, groupIds);
  }

  /** Rooms with sockets here that joined them through `node` (it died: they join again). */
  groupsJoinedThrough(node: string): string[] {
    return this.#remoteJoins.groupsThrough(node);
  }

  /** Joins every socket here that was in the room again (its owner died, or events were lost). */
  rejoin(groupId: string): void {
    const joins = this.#remoteJoins.take(groupId);
    if (joins === undefined) return;
    for (const [connId, request] of joins) {
      this.#deps.relay.release(groupId, connId);
      this.#rejoinOne(groupId, connId, request, 1);
    }
  }

  /** Right after a loss the owner may not be reachable yet: tries, further apart. */
  #rejoinOne(groupId: string, connId: string, request: JoinRequest, attempt: number): void {
    void this.join(groupId, request).then((result) => {
      const { logger } = this.#deps;
      if (result.ok) {
        logger.debug({ event: "cluster_rejoined", groupId, connId, attempt });
        return;
      }
      if (!this.#deps.isConnected(connId)) return;
      if (attempt === REJOIN_WARN_AFTER) {
        logger.warn({ event: "cluster_rejoin_failing", groupId, connId, result });
      }
      const delayMs = Math.min(REJOIN_MAX_DELAY_MS, REJOIN_BACKOFF_MS * 2 ** (attempt - 1));
      setTimeout(() => this.#rejoinOne(groupId, connId, request, attempt + 1), delayMs).unref();
    });
  }

  /** Who is in the rooms owned elsewhere, by the node that told. */
  get remotePresence(): RemotePresence {
    return this.#present;
  }

  /** Requests and casts sent to other nodes' rooms so far, by kind. */
  forwarded(): Array<readonly [string, number]> {
    return [...this.#forwarded];
  }

  /** Answers requests for `groupId` with "look again" while it moves to another node. */
  markMoving(groupId: string, isMoving: boolean): void {
    if (isMoving) this.#moving.add(groupId);
    else this.#moving.delete(groupId);
  }

  isMoving(groupId: string): boolean {
    return this.#moving.has(groupId);
  }

  /** The room's owner, claimed for this node when nobody alive owns it; undefined without NATS. */
  async #ownerOf(groupId: string): Promise<Owner | undefined> {
    const { ownership, membership, node } = this.#deps;
    const known = ownership.ownerOf(groupId);
    if (known !== undefined && membership.isIncarnationAlive(known.node, known.incarnation)) {
      return known;
    }
    if (!membership.holdsLease()) return undefined;
    try {
      return await ownership.claim(groupId, { node, incarnation: membership.incarnation });
    } catch (error) {
      this.#deps.logger.warn({ event: "cluster_claim_failed", groupId, err: error });
      return undefined;
    }
  }

  /** A send whose room's owner must be found (or the room claimed), from hop `firstHop` on. */
  #sendAway(groupId: string, request: SendRequest, firstHop: number, onResult: OnSent): void {
    void this.#forwardSend(groupId, request, firstHop).then((result) => {
      this.#deps.relay.releaseSend(groupId);
      onResult(result);
    });
  }

  async #forwardSend(groupId: string, request: SendRequest, firstHop: number): Promise<SendResult> {
    for (let hop = firstHop; hop <= MAX_HOPS; hop++) {
      const owner = await this.#ownerOf(groupId);
      if (owner === undefined) return unreachable(groupId);
      if (owner.node === this.#deps.node) {
        return new Promise((resolve) => this.#deps.local.send(groupId, request, resolve));
      }
      const reply = await this.#ask<SendResult>(owner, this.#forwardedSend(groupId, request));
      if (reply !== "not_owner") return reply;
    }
    return unreachable(groupId);
  }

  /** A send as the owner is asked it: its answer may ride on the room's event. */
  #forwardedSend(groupId: string, request: SendRequest): RoomRequest {
    return { op: "send", group: groupId, from: this.#deps.node, request, rides: true };
  }

  #count(op: string): void {
    this.#forwarded.set(op, (this.#forwarded.get(op) ?? 0) + 1);
  }

  async #ask<Reply>(owner: Owner, request: RoomRequest): Promise<Reply | "not_owner"> {
    this.#count(request.op);
    const answer = await this.#deps.rpc.ask(nodeSubject(owner.node), JSON.stringify(request));
    return replyFrom<Reply>(answer, "group" in request ? request.group : "");
  }

  #tell(owner: Owner, request: RoomRequest): void {
    this.#count(request.op);
    this.#deps.rpc.cast(nodeSubject(owner.node), JSON.stringify(request));
  }

  #forgetJoin(groupId: string, connId: string): void {
    if (this.#remoteJoins.forget(groupId, connId)) this.#deps.relay.release(groupId, connId);
  }

  /**
   * Another owner for a room sockets here joined through someone else: taken over (a new
   * room) or handed over (the same room, where they already are). Joining again is right for
   * both: the room of a hand-over answers a socket it has with the room afresh.
   */
  #ownerChanged(groupId: string, owner: Owner | undefined): void {
    const via = this.#remoteJoins.via(groupId);
    if (owner === undefined || via === undefined) return;
    if (via.node === owner.node && via.incarnation === owner.incarnation) return;
    this.rejoin(groupId);
  }
}
