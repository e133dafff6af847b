import type { ActorContext, Behaviour } from "@clofri/actors";
import { Room, type RoomDeps } from "./room.ts";
import type {
  CloseRequest,
  DisconnectRequest,
  JoinRequest,
  JoinResult,
  KickRequest,
  LeaveRequest,
  LeaveResult,
  RemovedResult,
  SendRequest,
  SendResult,
  SetIdleRequest,
  SetMutedRequest,
  SetMutedResult,
  TypingResult,
  TypingStartRequest,
  TypingStopRequest,
} from "./room-api.ts";

/** Everything a room handles: requests from `Rooms`, then the timers it sets for itself. */
export type RoomMsg =
  | ({ type: "join" } & JoinRequest)
  | ({ type: "leave" } & LeaveRequest)
  | ({ type: "disconnect" } & DisconnectRequest)
  | ({ type: "send" } & SendRequest)
  | ({ type: "typing_start" } & TypingStartRequest)
  | ({ type: "typing_stop" } & TypingStopRequest)
  | ({ type: "set_idle" } & SetIdleRequest)
  | ({ type: "set_muted" } & SetMutedRequest)
  | ({ type: "kick" } & KickRequest)
  | ({ type: "close" } & CloseRequest)
  /** Test hook: a handler that throws, as a bug would. */
  | { type: "crash" }
  | { type: "typing_expired"; userId: string }
  | { type: "grace_expired"; userId: string }
  | { type: "linger_expired" };

/** The reply of each call; casts (`disconnect`, `set_idle`) get none. */
export interface RoomReplies {
  join: JoinResult;
  leave: LeaveResult;
  send: SendResult;
  typing_start: TypingResult;
  typing_stop: TypingResult;
  set_muted: SetMutedResult;
  kick: RemovedResult;
  close: RemovedResult;
}

export type RoomCall = RoomMsg & { type: keyof RoomReplies };
export type RoomReply = RoomReplies[keyof RoomReplies];
export type RoomContext = ActorContext<RoomMsg, RoomReply>;

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
        case "join":
          ctx.reply(room.join(msg));
          break;
        case "leave":
          ctx.reply(room.leave(msg));
          break;
        case "disconnect":
          room.disconnect(msg);
          break;
        case "send":
          ctx.reply(room.send(msg));
          break;
        case "typing_start":
          ctx.reply(room.typingStart(msg));
          break;
        case "typing_stop":
          ctx.reply(room.typingStop(msg));
          break;
        case "set_idle":
          room.setIdle(msg);
          break;
        case "set_muted":
          ctx.reply(room.setMuted(msg));
          break;
        case "kick":
          ctx.reply(room.kick(msg));
          break;
        case "close":
          ctx.reply(room.close(msg));
          break;
        case "crash":
          throw new Error(`room ${deps.groupId} crashed on purpose (test hook)`);
        case "typing_expired":
          room.typingExpired(msg.userId);
          break;
        case "grace_expired":
          room.graceExpired(msg.userId);
          break;
        case "linger_expired":
          room.lingerExpired();
          break;
      }
      return room;
    },
  };
}
