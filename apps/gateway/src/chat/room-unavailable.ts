import { type ActorErrorCode, isActorError } from "@clofri/actors";
import { encode } from "@clofri/protocol";
import type { RoomMemory } from "./room-memory.ts";
import { failure, type Unavailable } from "./room-messages.ts";
import type { RoomPort } from "./room-port.ts";

/** A failed call to a room; anything but an ActorError is a bug and is thrown on. */
export function unavailable(groupId: string, error?: unknown): Unavailable {
  if (error !== undefined && !isActorError(error)) throw error;
  return roomUnavailable(groupId, error?.code);
}

export function roomUnavailable(groupId: string, code: ActorErrorCode | undefined): Unavailable {
  return failure("room_unavailable", `the room of group ${groupId} ${why(code)}; join again`);
}

function why(code: ActorErrorCode | undefined): string {
  switch (code) {
    case "crashed":
      return "failed on this request and is restarting";
    case "timeout":
      return "did not answer in time";
    case "mailbox_full":
      return "is overloaded";
    case undefined:
    case "stopped":
    case "no_reply":
      return "is not running";
  }
}

/** Nobody is in a room that no longer runs: the group is told, and the joined must join again. */
export function evacuate(port: RoomPort, memory: RoomMemory): void {
  const group = memory.groupId;
  const error = encode({
    type: "error",
    code: "room_unavailable",
    message: `the room of group ${group} stopped after repeated failures; join again`,
    group,
  });
  for (const userId of memory.members.keys()) {
    port.publishPresence(group, encode({ type: "user_left", group, userId }));
  }
  for (const connId of memory.connectionIds()) {
    port.unsubscribeRoom(connId, group);
    port.sendTo(connId, error);
  }
}
