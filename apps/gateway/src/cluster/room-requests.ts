import type {
  DisconnectRequest,
  JoinRequest,
  RoomCallMsg,
  RoomCastMsg,
  SendRequest,
} from "../chat/room-messages.ts";
import { failure } from "../chat/room-messages.ts";
import type { RoomSnapshot } from "../chat/room-snapshot.ts";
import type { Owner } from "./room-ownership.ts";
import type { RpcAnswer } from "./rpc.ts";

/** What one node asks of the owner of a room (JSON on the owner's node subject). */
export type RoomRequest =
  | { op: "join"; group: string; from: string; request: JoinRequest }
  | {
      op: "send";
      group: string;
      from: string;
      request: SendRequest;
      /** The asking node hears the room until the reply: it may ride on the room's event. */
      rides?: boolean;
    }
  | {
      op: "call";
      group: string;
      from: string;
      msg: Exclude<RoomCallMsg, { type: "join" | "send" }>;
    }
  | {
      op: "cast";
      group: string;
      from: string;
      msg: Exclude<RoomCastMsg, { type: "disconnect" }>;
      /** Set when a node that no longer owns the room passed it on. */
      isForwarded?: boolean;
    }
  | {
      op: "disconnect";
      group: string;
      from: string;
      request: DisconnectRequest;
      isForwarded?: boolean;
    }
  /** What one person has not seen in these rooms (a hello on another node asks). */
  | { op: "activity"; from: string; userId: string; groups: string[] }
  /** Who is in each room this node owns (a node that came up asks). */
  | { op: "present"; from: string }
  /** Go on with this room (a node leaving hands its rooms over). */
  | { op: "adopt"; from: string; handOver: HandOver };

/** A room on its way to another node: its memory, its owner entry, where its sockets are. */
export interface HandOver {
  snapshot: RoomSnapshot;
  owner: Owner;
  /** Every joined socket's node and person. */
  connections: Array<{ connId: string; node: string; userId: string }>;
}

/** The owner's answer when it no longer owns the room: ask again after looking it up. */
export const NOT_OWNER = { ok: false, code: "not_owner" } as const;

/** The owner's answer as a reply, "not_owner" to look again, or `room_unavailable`. */
export function replyFrom<Reply>(answer: RpcAnswer, groupId: string): Reply | "not_owner" {
  if (!answer.ok) {
    return failure(
      "room_unavailable",
      `the room of group ${groupId} cannot be reached (${answer.error}); try again`,
    ) as Reply;
  }
  const reply = JSON.parse(answer.text) as Reply | typeof NOT_OWNER;
  return isNotOwner(reply) ? "not_owner" : reply;
}

function isNotOwner(reply: unknown): reply is typeof NOT_OWNER {
  return (
    typeof reply === "object" &&
    reply !== null &&
    (reply as { code?: unknown }).code === NOT_OWNER.code
  );
}

export function unreachable(groupId: string) {
  return failure(
    "room_unavailable",
    `the room of group ${groupId} cannot be reached right now; try again`,
  );
}
