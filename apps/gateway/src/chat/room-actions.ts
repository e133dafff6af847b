import { encode, isOneEmoji, LIMITS, type Message, normalizeText } from "@clofri/protocol";
import type { RoomAwareness } from "./room-awareness.ts";
import type { RoomMember, RoomMemory } from "./room-memory.ts";
import {
  type EditRequest,
  type EditResult,
  failure,
  muted,
  notJoined,
  OK,
  type ReactRequest,
  type ReactResult,
  type RoomFailure,
  type UnsendRequest,
  type UnsendResult,
} from "./room-messages.ts";
import type { RoomPort } from "./room-port.ts";

const EDIT_WINDOW_PASSED = `a message can be edited for ${LIMITS.editWindowMs / 60_000} minutes after it was sent`;

export interface MessageActionsDeps {
  readonly groupId: string;
  readonly memory: RoomMemory;
  readonly port: RoomPort;
  readonly awareness: RoomAwareness;
  readonly now: () => number;
  readonly maxTextLength: number;
}

/**
 * Unsend, edit and react, on messages still in the buffer. Like every room step: refuse first,
 * then change the memory, then tell everyone in the room (the actor of it included).
 */
export class MessageActions {
  readonly #deps: MessageActionsDeps;

  constructor(deps: MessageActionsDeps) {
    this.#deps = deps;
  }

  unsend(request: UnsendRequest): UnsendResult {
    const found = this.#find(request);
    if (!found.ok) return found;
    const { message } = found;
    if (message.userId !== request.userId && !request.isCreator) {
      return failure("forbidden", "only its author or the group's creator can unsend a message");
    }
    const { groupId, memory, port } = this.#deps;
    memory.changes.remove(message);
    port.publishRoom(
      groupId,
      encode({ type: "message_removed", group: groupId, id: message.id, by: request.userId }),
    );
    this.#deps.awareness.changed();
    return OK;
  }

  edit(request: EditRequest): EditResult {
    const found = this.#find(request);
    if (!found.ok) return found;
    const { message, member } = found;
    if (message.userId !== request.userId) {
      return failure("forbidden", "only its author can edit a message");
    }
    if (member.isMuted) return muted(this.#deps.groupId);
    const nowMs = this.#deps.now();
    if (nowMs - message.ts > LIMITS.editWindowMs) {
      return failure("edit_window", EDIT_WINDOW_PASSED);
    }
    const normalized = normalizeText(request.text, this.#deps.maxTextLength);
    if (!normalized.ok) return failure(normalized.code, normalized.message);
    const { groupId, memory, port } = this.#deps;
    message.text = normalized.text;
    message.editedAt = nowMs;
    memory.changes.edited(message);
    const edited = { group: groupId, id: message.id, text: message.text, editedAt: nowMs };
    port.publishRoom(groupId, encode({ type: "message_edited", ...edited }));
    if (memory.messages.newest === message) this.#deps.awareness.changed();
    return OK;
  }

  /** Idempotent: a reaction already on (or off) changes nothing and tells no one. */
  react(request: ReactRequest): ReactResult {
    if (!isOneEmoji(request.emoji)) {
      return failure("invalid_frame", "expected emoji to be one emoji");
    }
    const found = this.#find(request);
    if (!found.ok) return found;
    const { message, member } = found;
    if (member.isMuted) return muted(this.#deps.groupId);
    const { userId, emoji, on } = request;
    const reactions = message.reactions;
    const who = Object.hasOwn(reactions, emoji) ? reactions[emoji] : undefined;
    if ((who?.includes(userId) ?? false) === on) return OK;
    if (on && who === undefined && Object.keys(reactions).length >= LIMITS.maxReactionEmoji) {
      return failure(
        "too_many_reactions",
        `a message carries at most ${LIMITS.maxReactionEmoji} different emoji`,
      );
    }
    if (on) reactions[emoji] = [...(who ?? []), userId];
    else {
      const rest = (who ?? []).filter((id) => id !== userId);
      if (rest.length === 0) delete reactions[emoji];
      else reactions[emoji] = rest;
    }
    const { groupId, memory, port } = this.#deps;
    memory.changes.touched(message);
    port.publishRoom(
      groupId,
      encode({ type: "reaction", group: groupId, id: message.id, userId, emoji, on }),
    );
    return OK;
  }

  /** The joined member and the message they act on, if it is still in the buffer. */
  #find(request: {
    connId: string;
    userId: string;
    id: string;
  }): { ok: true; message: Message; member: RoomMember } | RoomFailure<"not_joined" | "not_found"> {
    const { groupId, memory } = this.#deps;
    const member = memory.memberOf(request.connId, request.userId);
    if (member === undefined) return notJoined(groupId);
    memory.prune(this.#deps.now());
    const message = memory.messageById(request.id.toLowerCase());
    if (message === undefined) {
      return failure("not_found", `no message ${request.id} in the room's memory`);
    }
    return { ok: true, message, member };
  }
}
