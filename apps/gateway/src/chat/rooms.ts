import { type Activity, NO_ACTIVITY } from "./room-activity.ts";
import {
  answerWithoutRoom,
  type DisconnectRequest,
  failure,
  type JoinRequest,
  type JoinResult,
  type RoomCall,
  type RoomCallType,
  type RoomCastMsg,
  type RoomReplies,
  type SendRequest,
  type SendResult,
} from "./room-messages.ts";

/** A call other than `join` and `send`, which have their own ways in. */
export type PlainCallType = Exclude<RoomCallType, "join" | "send">;

/**
 * What the edge asks of the rooms: this process's supervisor, or in cluster mode a router that
 * reaches each room where its owner runs it. No method rejects: failures are values.
 */
export interface Rooms {
  /** Starts the room if needed. On success the room has sent `group_state` itself. */
  join(groupId: string, request: JoinRequest): Promise<JoinResult>;
  call<Type extends PlainCallType>(
    groupId: string,
    msg: RoomCall<Type>,
  ): Promise<RoomReplies[Type]>;
  cast(groupId: string, msg: Exclude<RoomCastMsg, { type: "disconnect" }>): void;
  /** The socket closed; never fails. */
  disconnect(groupId: string, request: DisconnectRequest): void;
  /** `onResult` runs exactly once. */
  send(groupId: string, request: SendRequest, onResult: (result: SendResult) => void): void;
  /** User ids in the group's room now. */
  presentIn(groupId: string): string[];
  /** What the user has not seen in the group's room; nothing when no room runs (none starts). */
  activityOf(groupId: string, userId: string): Activity;
  /** Cluster mode: the same, from the rooms other gateways own (asked for a hello). */
  activityElsewhere?(userId: string, groupIds: readonly string[]): Promise<Map<string, Activity>>;
}

/**
 * Rooms that are none of this node's business: a social change made on another gateway of the
 * cluster reaches the rooms there, not here.
 */
export const NO_ROOMS: Rooms = {
  join: async (groupId) => failure("room_unavailable", `no room for group ${groupId} here`),
  call: async (groupId, msg) => answerWithoutRoom(groupId, msg.type),
  cast: () => {},
  disconnect: () => {},
  send: (groupId, _request, onResult) => onResult(answerWithoutRoom(groupId, "send")),
  presentIn: () => [],
  activityOf: () => NO_ACTIVITY,
};
