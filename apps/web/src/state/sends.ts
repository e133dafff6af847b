// Local actions on rooms: wanting a room, the optimistic send and its reconciliation.
import type { GroupSummary } from "@clofri/protocol";
import { type AppState, type PendingSend, roomOf, withRoom } from "./app-state.ts";
import type { Phrase } from "./wording.ts";

export function wantRoom(state: AppState, group: string): AppState {
  return withRoom(state, group, (room) => ({ ...room, wanted: true, notice: null }));
}

/** The server will not let us in (not a member, say): stop asking, and say why. */
export function joinRefused(state: AppState, group: string, notice: string): AppState {
  return withRoom(state, group, (room) => ({ ...room, wanted: false, notice }));
}

/** Stepping out of a room on purpose: we stop hearing it and do not rejoin. */
export function leaveRoom(state: AppState, group: string): AppState {
  const next = withRoom(state, group, (room) => ({
    ...room,
    wanted: false,
    joined: false,
    members: [],
  }));
  return { ...next, typing: { ...next.typing, [group]: {} } };
}

/** The socket went away: no room is joined any more until it rejoins; typing is stale. */
export function socketClosed(state: AppState): AppState {
  const rooms = Object.fromEntries(
    Object.entries(state.rooms).map(([group, room]) => [group, { ...room, joined: false }]),
  );
  return { ...state, rooms, typing: {} };
}

export function queueSend(
  state: AppState,
  group: string,
  key: string,
  text: string,
  nowMs: number,
): AppState {
  const pending: PendingSend = {
    key,
    text,
    createdAt: nowMs,
    state: "pending",
    error: null,
    id: null,
  };
  return withRoom(state, group, (room) => ({ ...room, pending: [...room.pending, pending] }));
}

/** The ack names the message; if the message frame is already here the pending line goes. */
export function sendAcked(state: AppState, group: string, key: string, id: string): AppState {
  return withRoom(state, group, (room) => {
    const arrived = room.messages.some((message) => message.id === id);
    const pending = arrived
      ? room.pending.filter((send) => send.key !== key)
      : room.pending.map((send) =>
          send.key === key ? { ...send, id, state: "pending" as const } : send,
        );
    return { ...room, pending };
  });
}

export function sendFailed(state: AppState, group: string, key: string, error: string): AppState {
  return withRoom(state, group, (room) => ({
    ...room,
    pending: room.pending.map((send) =>
      send.key === key ? { ...send, state: "failed" as const, error } : send,
    ),
  }));
}

/** A retry keeps the idempotency key, so a send that did get through is not shown twice. */
export function retrySend(state: AppState, group: string, key: string): AppState {
  return withRoom(state, group, (room) => ({
    ...room,
    pending: room.pending.map((send) =>
      send.key === key ? { ...send, state: "pending" as const, error: null } : send,
    ),
  }));
}

export function discardSend(state: AppState, group: string, key: string): AppState {
  return withRoom(state, group, (room) => ({
    ...room,
    pending: room.pending.filter((send) => send.key !== key),
  }));
}

export function viewGroup(state: AppState, group: string | null): AppState {
  const next = { ...state, viewing: group };
  if (group === null || !state.rooms[group]) return next;
  const me = state.me?.id ?? "";
  return withRoom(next, group, (room) => ({
    ...room,
    unread: false,
    // The "new messages" line goes where my mark is as I open the room (once it is joined).
    dividerSeq: room.joined ? (room.marks[me] ?? 0) : null,
  }));
}

export function dismissBanners(state: AppState, group: string): AppState {
  return withRoom(state, group, (room) => ({ ...room, expiredMissed: 0, restarted: false }));
}

/** A group I created or joined over HTTP shows at once; its group_added may have come first. */
export function groupJoined(state: AppState, group: GroupSummary): AppState {
  return state.groups.some((g) => g.id === group.id)
    ? state
    : { ...state, groups: [...state.groups, group] };
}

export function setFlash(state: AppState, flash: Phrase | null): AppState {
  return { ...state, flash };
}

/** Sends that should go (again) once the room is joined: still pending, not failed. */
export function sendsToFlush(state: AppState, group: string): PendingSend[] {
  return roomOf(state, group).pending.filter(
    (send) => send.state === "pending" && send.id === null,
  );
}
