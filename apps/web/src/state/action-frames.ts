// Message actions heard from the room: a message unsent, edited, a reaction on or off.
import type {
  GroupStateFrame,
  Message,
  MessageEditedFrame,
  MessageRemovedFrame,
  ReactionFrame,
} from "@clofri/protocol";
import { type AppState, withRoom } from "./app-state.ts";

export function messageRemoved(state: AppState, frame: MessageRemovedFrame): AppState {
  if (!state.rooms[frame.group]) return state;
  return withRoom(state, frame.group, (room) => ({
    ...room,
    messages: room.messages.filter((m) => m.id !== frame.id),
  }));
}

export function messageEdited(state: AppState, frame: MessageEditedFrame): AppState {
  const { text, editedAt } = frame;
  return changeMessage(state, frame.group, frame.id, (m) => ({ ...m, text, editedAt }));
}

export function reaction(state: AppState, frame: ReactionFrame): AppState {
  const { emoji, userId, on } = frame;
  return changeMessage(state, frame.group, frame.id, (m) => {
    const who = (Object.hasOwn(m.reactions, emoji) ? m.reactions[emoji] : undefined) ?? [];
    if (who.includes(userId) === on) return m;
    const reactions = {
      ...m.reactions,
      [emoji]: on ? [...who, userId] : who.filter((id) => id !== userId),
    };
    if (reactions[emoji]?.length === 0) delete reactions[emoji];
    return { ...m, reactions };
  });
}

/** A resume's news of the messages we already had: newer copies, and those unsent. */
export function resumeChanges(messages: Message[], frame: GroupStateFrame): Message[] {
  const { updated, removed } = frame;
  if (!updated?.length && !removed?.length) return messages;
  const gone = new Set(removed);
  const newer = new Map(updated?.map((m) => [m.id, m]));
  return messages.filter((m) => !gone.has(m.id)).map((m) => newer.get(m.id) ?? m);
}

function changeMessage(
  state: AppState,
  group: string,
  id: string,
  change: (message: Message) => Message,
): AppState {
  const room = state.rooms[group];
  if (!room?.messages.some((m) => m.id === id)) return state;
  return withRoom(state, group, (r) => ({
    ...r,
    messages: r.messages.map((m) => (m.id === id ? change(m) : m)),
  }));
}
