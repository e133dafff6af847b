import type { RoomsEvent } from "../chat/room-events.ts";
import type { Logger } from "../obs/logger.ts";

/** Room lifecycle as log lines: crashes loud, restarts noted, starts and stops for debugging. */
export function logRoomEvent(logger: Logger): (event: RoomsEvent) => void {
  return (event) => {
    switch (event.type) {
      case "room_crashed":
      case "room_gave_up":
        logger.error({ event: event.type, groupId: event.groupId, err: event.error });
        return;
      case "room_restarted":
        logger.warn({
          event: event.type,
          groupId: event.groupId,
          restarts: event.restartsInWindow,
        });
        return;
      case "room_started":
      case "room_stopped":
        logger.debug({ event: event.type, groupId: event.groupId });
        return;
    }
  };
}
