// Derived views of the state for the screens, pure.
import type { FriendStatus, FriendSummary, GroupSummary } from "@clofri/protocol";
import type { AppState, Status } from "./app-state.ts";

interface PresentPerson {
  userId: string;
  /** "You" for me. */
  displayName: string;
  /** The real name, for initials. */
  name: string;
  avatarUrl: string | null;
  status: Status;
}

/** Who is in a group's room now, me first, then by name. */
export function presentIn(state: AppState, group: GroupSummary): PresentPerson[] {
  const room = state.rooms[group.id];
  const statuses = state.statuses[group.id] ?? {};
  const people = group.present.map((userId): PresentPerson => {
    const member = room?.members.find((m) => m.userId === userId);
    const friend = state.friends.find((f) => f.id === userId);
    const isMe = userId === state.me?.id;
    const name = isMe
      ? (state.me?.displayName ?? "You")
      : (member?.displayName ?? friend?.displayName ?? "Someone");
    return {
      userId,
      displayName: isMe ? "You" : name,
      name,
      avatarUrl: (isMe ? state.me?.avatarUrl : (member?.avatarUrl ?? friend?.avatarUrl)) ?? null,
      status: statuses[userId] ?? "active",
    };
  });
  return people.sort((a, b) =>
    a.userId === state.me?.id
      ? -1
      : b.userId === state.me?.id
        ? 1
        : a.displayName.localeCompare(b.displayName),
  );
}

/**
 * What a friend is: the server's status (busy, idle, active, offline); from a server without it,
 * idle when every room we see them in says so, active otherwise.
 */
export function friendStatus(state: AppState, friend: FriendSummary): FriendStatus {
  if (!friend.online) return "offline";
  if (friend.status !== undefined) return friend.status;
  const seen = Object.values(state.statuses)
    .map((statuses) => statuses[friend.id])
    .filter((status): status is Status => status !== undefined);
  return seen.length > 0 && seen.every((status) => status === "idle") ? "idle" : "active";
}

export function typingNames(state: AppState, group: string): string[] {
  return Object.values(state.typing[group] ?? {}).sort((a, b) => a.localeCompare(b));
}
