import type { ExitReason, SupervisorEvent } from "@clofri/actors";

/** For logs and metrics; `groupId` names the room. */
export type RoomsEvent =
  | { type: "room_started"; groupId: string }
  | { type: "room_crashed"; groupId: string; error: unknown }
  | { type: "room_restarted"; groupId: string; restartsInWindow: number }
  | { type: "room_gave_up"; groupId: string; error: unknown; restartsInWindow: number }
  | { type: "room_stopped"; groupId: string; reason: ExitReason };

/** The supervisor names each room by its group id. */
export function toRoomsEvent(event: SupervisorEvent): RoomsEvent {
  const groupId = event.id;
  switch (event.type) {
    case "started":
      return { type: "room_started", groupId };
    case "crashed":
      return { type: "room_crashed", groupId, error: event.error };
    case "restarted":
      return { type: "room_restarted", groupId, restartsInWindow: event.restartsInWindow };
    case "gave_up": {
      const { error, restartsInWindow } = event;
      return { type: "room_gave_up", groupId, error, restartsInWindow };
    }
    case "stopped":
      return { type: "room_stopped", groupId, reason: event.reason };
  }
}
