// profile_updated: someone (me included) changed their name or picture. Everything this tab
// shows of them follows at once. Old messages show the author's current name wherever the
// client knows it (see `currentNameOf`); system lines ("Sam joined") stay as they were written.
import type { GroupSummary, UserSummary } from "@clofri/protocol";
import type { AppState, RoomState } from "./app-state.ts";

export function profileUpdated(state: AppState, user: UserSummary): AppState {
  const { id, displayName, avatarUrl } = user;
  const rename = <T extends { displayName: string; avatarUrl: string | null }>(who: T): T => ({
    ...who,
    displayName,
    avatarUrl,
  });
  const typing = Object.fromEntries(
    Object.entries(state.typing).map(([group, typists]) => [
      group,
      id in typists ? { ...typists, [id]: displayName } : typists,
    ]),
  );
  const rooms = Object.fromEntries(
    Object.entries(state.rooms).map(([group, room]): [string, RoomState] => [
      group,
      room.members.some((m) => m.userId === id)
        ? { ...room, members: room.members.map((m) => (m.userId === id ? rename(m) : m)) }
        : room,
    ]),
  );
  return {
    ...state,
    me: state.me?.id === id ? rename(state.me) : state.me,
    friends: state.friends.map((f) => (f.id === id ? rename(f) : f)),
    incomingRequests: state.incomingRequests.map((r) =>
      r.from.id === id ? { ...r, from: rename(r.from) } : r,
    ),
    outgoingRequests: state.outgoingRequests.map((r) =>
      r.to.id === id ? { ...r, to: rename(r.to) } : r,
    ),
    groups: state.groups.map((g) =>
      isDirectChatWith(state, g, id) ? { ...g, name: displayName } : g,
    ),
    rooms,
    typing,
    profiles: { ...state.profiles, [id]: user },
  };
}

/**
 * A direct chat is named after the other person, but its summary does not say who that is: the
 * room's members tell when this tab is in it; else the friend's old name, if no other friend has it.
 */
function isDirectChatWith(state: AppState, group: GroupSummary, userId: string): boolean {
  if (group.kind !== "direct" || userId === state.me?.id) return false;
  const members = state.rooms[group.id]?.members ?? [];
  if (members.some((m) => m.userId === userId)) return true;
  if (members.length > 0) return false;
  const oldName = state.friends.find((f) => f.id === userId)?.displayName;
  const namesakes = state.friends.filter((f) => f.displayName === oldName).length;
  return oldName !== undefined && namesakes === 1 && group.name === oldName;
}

/** Someone as an API answer showed them, with any change of name or picture heard since. */
export function withLatestProfile<
  T extends { id: string; displayName: string; avatarUrl: string | null },
>(state: AppState, loaded: T): T {
  const latest = state.profiles[loaded.id];
  return latest
    ? { ...loaded, displayName: latest.displayName, avatarUrl: latest.avatarUrl }
    : loaded;
}
