import {
  failure,
  OK,
  type RemovedResult,
  type RoomCallType,
  type RoomFailure,
  type RoomReplies,
} from "./room-messages.ts";

/** A group without a running room has nobody in it: what each call gets then (none starts). */
const WITHOUT_ROOM: {
  [Type in Exclude<RoomCallType, "join">]: (groupId: string) => RoomReplies[Type];
} = {
  leave: notJoined,
  send: notJoined,
  typing_start: notJoined,
  typing_stop: notJoined,
  read: notJoined,
  unsend: notJoined,
  edit: notJoined,
  react: notJoined,
  set_muted: () => OK,
  kick: nobodyRemoved,
  close: nobodyRemoved,
};

export function answerWithoutRoom<Type extends Exclude<RoomCallType, "join">>(
  groupId: string,
  type: Type,
): RoomReplies[Type] {
  return WITHOUT_ROOM[type](groupId);
}

export function notJoined(groupId: string): RoomFailure<"not_joined"> {
  return failure("not_joined", `this connection has not joined group ${groupId}`);
}

export function muted(groupId: string): RoomFailure<"muted"> {
  return failure("muted", `you are muted in group ${groupId}`);
}

export function nobodyRemoved(): RemovedResult {
  return { ok: true, connIds: [] };
}
