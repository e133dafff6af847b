import type { Behaviour } from "@clofri/actors";
import { Room, type RoomDeps } from "./room.ts";
import type { RoomMsg, RoomReply } from "./room-messages.ts";

/**
 * One group's room. Its durable part (`deps.memory`) outlives a crash; the incarnation's own
 * state — typing indicators and timers — does not, and `init` tells everyone still joined.
 */
export function roomActor(deps: RoomDeps): Behaviour<RoomMsg, Room, RoomReply> {
  return {
    init(ctx) {
      const room = new Room(deps, ctx);
      room.start();
      return room;
    },

    handle(msg, room, ctx) {
      switch (msg.type) {
        case "crash":
          throw new Error(`room ${deps.groupId} crashed on purpose (test hook)`);
        case "stall":
          return new Promise<Room>(() => {});
        default: {
          const reply = room.handle(msg);
          if (reply !== undefined) ctx.reply(reply);
          return room;
        }
      }
    },
  };
}
