// The frames of a room: its state on join, messages, and who is in it, idle or typing.
import type {
  GroupStateFrame,
  MemberSummary,
  MessageFrame,
  UserActiveFrame,
  UserIdleFrame,
  UserJoinedFrame,
  UserLeftFrame,
  UserStoppedTypingFrame,
  UserTypingFrame,
} from "@clofri/protocol";
import { resumeChanges } from "./action-frames.ts";
import {
  type AppState,
  displayNameOf,
  ROOM_RESTARTING,
  type RoomState,
  roomOf,
  withRoom,
} from "./app-state.ts";
import { messageActivity } from "./awareness.ts";
import { retained } from "./retention.ts";
import {
  addSystem,
  clearTyping,
  mapGroup,
  mergeMessages,
  setPresent,
  setStatus,
} from "./updates.ts";
import { named } from "./wording.ts";

export function groupState(state: AppState, frame: GroupStateFrame, nowMs: number): AppState {
  const room = joinedRoom(state, frame, nowMs);
  const statuses = {
    ...state.statuses,
    [frame.group]: {
      ...state.statuses[frame.group],
      ...Object.fromEntries(frame.members.map((m) => [m.userId, m.status])),
    },
  };
  const typing = {
    ...state.typing,
    [frame.group]: Object.fromEntries(
      frame.members
        .filter((m) => m.typing && m.userId !== state.me?.id)
        .map((m) => [m.userId, m.displayName]),
    ),
  };
  const next = mapGroup(state, frame.group, (g) => ({
    ...g,
    present: frame.members.map((m) => m.userId),
  }));
  return { ...next, rooms: { ...next.rooms, [frame.group]: room }, statuses, typing };
}

/** The room as group_state leaves it: a resume in the same epoch adds to what we had. */
function joinedRoom(state: AppState, frame: GroupStateFrame, nowMs: number): RoomState {
  const before = roomOf(state, frame.group);
  const sameEpoch = before.epoch === frame.epoch;
  const had = sameEpoch ? resumeChanges(before.messages, frame) : [];
  const merged = mergeMessages(had, frame.messages);
  const messages = retained(merged, frame.retention, nowMs + state.clockOffsetMs);
  const arrivedKeys = new Set(messages.filter((m) => m.userId === state.me?.id).map((m) => m.key));
  return {
    ...before,
    wanted: true,
    joined: true,
    epoch: frame.epoch,
    lastSeq: Math.max(sameEpoch ? before.lastSeq : 0, ...messages.map((m) => m.seq)),
    members: frame.members,
    messages,
    pending: before.pending.filter((send) => !arrivedKeys.has(send.key)),
    retention: frame.retention,
    expiredMissed: frame.expired,
    // A new epoch after we had seen the room: the server forgot what we were showing.
    restarted: !sameEpoch && before.epoch !== null ? true : before.restarted && sameEpoch,
    notice: before.notice === ROOM_RESTARTING ? null : before.notice,
    marks: markMap(sameEpoch ? before.marks : {}, frame.members),
    dividerSeq:
      before.dividerSeq ??
      (state.viewing === frame.group
        ? (frame.members.find((m) => m.userId === state.me?.id)?.readSeq ?? 0)
        : null),
  };
}

/** The marks group_state gives, never moving one back. */
function markMap(before: Record<string, number>, members: MemberSummary[]): Record<string, number> {
  const marks = { ...before };
  for (const m of members) {
    if (m.readSeq !== null && m.readSeq > (marks[m.userId] ?? 0)) marks[m.userId] = m.readSeq;
  }
  return marks;
}

export function message(state: AppState, frame: MessageFrame, nowMs: number): AppState {
  const { type: _type, ...msg } = frame;
  const room = state.rooms[msg.group];
  if (!room) return state;
  if (room.messages.some((m) => m.id === msg.id)) return state;
  const isMine = msg.userId === state.me?.id;
  const messages = retained(
    mergeMessages(room.messages, [msg]),
    room.retention,
    nowMs + state.clockOffsetMs,
  );
  const next = withRoom(state, msg.group, (r) => ({
    ...r,
    messages,
    lastSeq: Math.max(r.lastSeq, msg.seq),
    pending: isMine ? r.pending.filter((send) => send.key !== msg.key) : r.pending,
    unread: r.unread || (!isMine && state.viewing !== msg.group),
    delivered:
      isMine && r.members.some((m) => m.userId !== msg.userId)
        ? [...r.delivered.slice(-r.retention.maxMessages), msg.id]
        : r.delivered,
  }));
  const isRead = state.viewing === msg.group && state.attentive;
  // Seen as it came, with nothing new above it: the line stays below it.
  const followed =
    (isRead || isMine) && room.dividerSeq !== null && room.dividerSeq >= msg.seq - 1
      ? withRoom(next, msg.group, (r) => ({ ...r, dividerSeq: msg.seq }))
      : next;
  return clearTyping(messageActivity(followed, msg, isRead), msg.group, msg.userId);
}

export function userJoined(state: AppState, frame: UserJoinedFrame, nowMs: number): AppState {
  const next = setPresent(state, frame.group, frame.userId, true);
  const withStatus = setStatus(next, frame.group, frame.userId, "active");
  const room = roomOf(state, frame.group);
  if (!room.joined || room.members.some((m) => m.userId === frame.userId)) return withStatus;
  const friend = state.friends.find((f) => f.id === frame.userId);
  const member: MemberSummary = {
    userId: frame.userId,
    displayName: frame.displayName,
    avatarUrl: friend?.avatarUrl ?? null,
    status: "active",
    typing: false,
    readSeq: null,
  };
  return withRoom(withStatus, frame.group, (r) =>
    addSystem(
      { ...r, members: [...r.members, member] },
      [named(frame.displayName), " joined"],
      nowMs,
    ),
  );
}

export function userLeft(state: AppState, frame: UserLeftFrame, nowMs: number): AppState {
  const name = displayNameOf(state, frame.group, frame.userId);
  let next = setPresent(state, frame.group, frame.userId, false);
  next = clearTyping(next, frame.group, frame.userId);
  if (!state.rooms[frame.group]) return next;
  const isMe = frame.userId === state.me?.id;
  return withRoom(next, frame.group, (room) => {
    const wasHere = room.members.some((m) => m.userId === frame.userId);
    const members = room.members.filter((m) => m.userId !== frame.userId);
    // Our own user_left while this tab is in the room means the server took us out.
    if (isMe) return { ...room, members, joined: false };
    return wasHere && room.joined
      ? addSystem({ ...room, members }, [named(name), " left"], nowMs)
      : { ...room, members };
  });
}

export function userStatus(state: AppState, frame: UserIdleFrame | UserActiveFrame): AppState {
  return setStatus(
    state,
    frame.group,
    frame.userId,
    frame.type === "user_idle" ? "idle" : "active",
  );
}

export function userTyping(state: AppState, frame: UserTypingFrame): AppState {
  if (frame.userId === state.me?.id) return state;
  return {
    ...state,
    typing: {
      ...state.typing,
      [frame.group]: { ...state.typing[frame.group], [frame.userId]: frame.displayName },
    },
  };
}

export function userStoppedTyping(state: AppState, frame: UserStoppedTypingFrame): AppState {
  return clearTyping(state, frame.group, frame.userId);
}
