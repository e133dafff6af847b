// The frames about groups and their members: added, renamed, deleted, kicked, left, muted.
import type {
  GroupAddedFrame,
  GroupDeletedFrame,
  GroupUpdatedFrame,
  MemberKickedFrame,
  MemberLeftFrame,
  MemberMutedFrame,
} from "@clofri/protocol";
import { type AppState, displayNameOf, withRoom } from "./app-state.ts";
import { addSystem, dropGroup, mapGroup, presentStatuses, removeMember } from "./updates.ts";
import { named } from "./wording.ts";

export function groupAdded(state: AppState, frame: GroupAddedFrame): AppState {
  const groups = [...state.groups.filter((g) => g.id !== frame.group.id), frame.group];
  const statuses = {
    ...state.statuses,
    [frame.group.id]: presentStatuses(frame.group, state.statuses[frame.group.id]),
  };
  return { ...state, groups, statuses };
}

export function groupUpdated(state: AppState, frame: GroupUpdatedFrame): AppState {
  return mapGroup(state, frame.group, (g) => ({ ...g, name: frame.name }));
}

export function groupDeleted(state: AppState, frame: GroupDeletedFrame): AppState {
  const name = state.groups.find((g) => g.id === frame.group)?.name;
  const next = dropGroup(state, frame.group);
  return state.viewing === frame.group && name !== undefined
    ? { ...next, flash: [named(name), " was deleted."] }
    : next;
}

export function memberKicked(state: AppState, frame: MemberKickedFrame, nowMs: number): AppState {
  if (frame.userId === state.me?.id) {
    const name = state.groups.find((g) => g.id === frame.group)?.name ?? "the group";
    return {
      ...dropGroup(state, frame.group),
      flash: ["You were removed from ", named(name), "."],
    };
  }
  const name = displayNameOf(state, frame.group, frame.userId);
  return removeMember(state, frame.group, frame.userId, [named(name), " was removed"], nowMs);
}

export function memberLeft(state: AppState, frame: MemberLeftFrame, nowMs: number): AppState {
  if (frame.userId === state.me?.id) return dropGroup(state, frame.group);
  const name = displayNameOf(state, frame.group, frame.userId);
  const line = [named(name), " left the group"];
  const next = removeMember(state, frame.group, frame.userId, line, nowMs);
  return frame.creatorId !== undefined && frame.creatorId === state.me?.id
    ? mapGroup(next, frame.group, (g) => ({ ...g, role: "creator" }))
    : next;
}

export function memberMuted(state: AppState, frame: MemberMutedFrame, nowMs: number): AppState {
  if (frame.userId === state.me?.id) {
    const next = mapGroup(state, frame.group, (g) => ({ ...g, muted: frame.muted }));
    return withRoom(next, frame.group, (room) => ({
      ...room,
      notice: frame.muted ? "You are muted here: you can read but not send." : null,
    }));
  }
  if (!state.rooms[frame.group]?.joined) return state;
  const name = displayNameOf(state, frame.group, frame.userId);
  return withRoom(state, frame.group, (room) =>
    addSystem(room, [named(name), frame.muted ? " was muted" : " was unmuted"], nowMs),
  );
}
