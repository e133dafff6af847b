import type { ClusterRooms, RoomNodeDeps } from "./cluster-rooms.ts";
import type { Owner } from "./room-ownership.ts";
import { type HandOver, NOT_OWNER, type RoomRequest } from "./room-requests.ts";
import type { RpcRequest } from "./rpc.ts";
import { nodeSubject } from "./subjects.ts";

/** The successor's answer to a hand-over: the owner entry it now holds. */
export type AdoptAnswer = { ok: true; owner: Owner } | { ok: false };

export interface RoomServiceDeps extends RoomNodeDeps {
  rooms: ClusterRooms;
}

/**
 * The owner's side: answers what other nodes ask of the rooms this node owns, on its node
 * subject. A request for a room it does not own (any more) is answered "look again"; a node
 * that lost its lease answers nothing for anyone.
 */
export class RoomService {
  readonly #deps: RoomServiceDeps;
  #stop: (() => void) | undefined;

  constructor(deps: RoomServiceDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#stop = this.#deps.rpc.serve(nodeSubject(this.#deps.node), (request) => {
      try {
        this.#handle(request, JSON.parse(request.text) as RoomRequest);
      } catch (error) {
        this.#deps.logger.error({ event: "cluster_request_failed", err: error });
      }
    });
  }

  stop(): void {
    this.#stop?.();
  }

  #handle(request: RpcRequest, message: RoomRequest): void {
    switch (message.op) {
      case "present":
        answer(request, this.#presentHere());
        break;
      case "activity": {
        const { local } = this.#deps;
        const served = message.groups.filter((groupId) => this.#mayServe(groupId));
        const activity = served.map((g) => [g, local.activityOf(g, message.userId)]);
        answer(request, Object.fromEntries(activity));
        break;
      }
      case "adopt":
        void this.#adopt(message.handOver).then((adopted) => answer(request, adopted));
        break;
      case "cast":
      case "disconnect":
        this.#castOrForward(message);
        break;
      default:
        if (this.#mayServe(message.group)) this.#serve(message, request);
        else answer(request, NOT_OWNER);
    }
  }

  /** A request to a room this node owns: its reply goes back the way it came. */
  #serve(
    message: Extract<RoomRequest, { op: "join" | "send" | "call" }>,
    request: RpcRequest,
  ): void {
    const { local, port } = this.#deps;
    if (message.op === "send") {
      const { group } = message;
      const ridesOn = message.rides === true ? request.replyTo : undefined;
      local.send(group, message.request, (result) => {
        const text = JSON.stringify(result);
        if (ridesOn === undefined || !port.attachReply(group, ridesOn, text)) request.reply(text);
      });
    } else if (message.op === "call") {
      void local.call(message.group, message.msg).then((reply) => answer(request, reply));
    } else {
      const { connId, user } = message.request;
      port.rememberRemote(connId, message.from, user.id);
      void local.join(message.group, message.request).then((result) => {
        if (!result.ok) port.forgetIfNotJoined(connId);
        answer(request, result);
      });
    }
  }

  /** A cast for a room that moved goes on to its owner, once. */
  #castOrForward(message: Extract<RoomRequest, { op: "cast" | "disconnect" }>): void {
    const { local, port, rooms } = this.#deps;
    if (this.#mayServe(message.group)) {
      if (message.op === "cast") local.cast(message.group, message.msg);
      else {
        port.forgetRemote(message.request.connId, message.group);
        local.disconnect(message.group, message.request);
      }
      return;
    }
    if (message.isForwarded === true) return;
    if (message.op === "cast") rooms.cast(message.group, message.msg);
    else rooms.disconnect(message.group, message.request);
  }

  #mayServe(groupId: string): boolean {
    const { membership, ownership, rooms, node } = this.#deps;
    return (
      membership.holdsLease() &&
      !rooms.isMoving(groupId) &&
      ownership.ownerOf(groupId)?.node === node
    );
  }

  #presentHere(): Record<string, string[]> {
    const present: Record<string, string[]> = {};
    for (const groupId of this.#deps.local.groupIds()) {
      if (this.#mayServe(groupId)) present[groupId] = this.#deps.local.presentIn(groupId);
    }
    return present;
  }

  /** Goes on with a room another node hands over, then takes its entry from that node's revision. */
  async #adopt(handOver: HandOver): Promise<AdoptAnswer> {
    const { local, port, ownership, membership, node, logger } = this.#deps;
    const groupId = handOver.snapshot.groupId;
    // The room runs here before the entry names this node, so nothing can start it anew.
    for (const { connId, node: at, userId } of handOver.connections) {
      port.adoptRemote(groupId, connId, at, userId);
    }
    if (!local.adopt(handOver.snapshot)) return { ok: false };
    try {
      const owner = await ownership.transfer(groupId, handOver.owner, {
        node,
        incarnation: membership.incarnation,
      });
      return { ok: true, owner };
    } catch (error) {
      logger.warn({ event: "cluster_adopt_refused", groupId, err: error });
      await local.handOver(groupId);
      return { ok: false };
    }
  }
}

/** Answers with `value` as JSON. A function of its own, not a closure made for each request. */
function answer(request: RpcRequest, value: unknown): void {
  request.reply(JSON.stringify(value));
}
