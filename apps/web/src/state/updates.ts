// The building blocks of the frame reducers (frames.ts): small pure updates of the state.
import type { GroupSummary, Message } from "@clofri/protocol";
import {
  type AppState,
  type RoomState,
  type Status,
  type SystemLine,
  withRoom,
} from "./app-state.ts";
import { type Phrase, phraseText } from "./wording.ts";

const MAX_SYSTEM_LINES = 20;

export function mergeMessages(old: readonly Message[], incoming: readonly Message[]): Message[] {
  const byId = new Map(old.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export function addSystem(room: RoomState, text: Phrase, nowMs: number): RoomState {
  const id = `s${nowMs}-${room.system.length}-${phraseText(text)}`;
  const line: SystemLine = { id, ts: nowMs, text };
  return { ...room, system: [...room.system, line].slice(-MAX_SYSTEM_LINES) };
}

export function presentStatuses(
  group: GroupSummary,
  known: Record<string, Status> | undefined,
): Record<string, Status> {
  return Object.fromEntries(group.present.map((userId) => [userId, known?.[userId] ?? "active"]));
}

export function setPresent(
  state: AppState,
  group: string,
  userId: string,
  present: boolean,
): AppState {
  return mapGroup(state, group, (g) => {
    const others = g.present.filter((id) => id !== userId);
    return { ...g, present: present ? [...others, userId] : others };
  });
}

export function setStatus(
  state: AppState,
  group: string,
  userId: string,
  status: Status,
): AppState {
  const statuses = { ...state.statuses, [group]: { ...state.statuses[group], [userId]: status } };
  const room = state.rooms[group];
  if (!room) return { ...state, statuses };
  const members = room.members.map((m) => (m.userId === userId ? { ...m, status } : m));
  return { ...state, statuses, rooms: { ...state.rooms, [group]: { ...room, members } } };
}

export function clearTyping(state: AppState, group: string, userId: string): AppState {
  const typing = state.typing[group];
  if (!typing || !(userId in typing)) return state;
  const { [userId]: _gone, ...rest } = typing;
  return { ...state, typing: { ...state.typing, [group]: rest } };
}

export function removeMember(
  state: AppState,
  group: string,
  userId: string,
  line: Phrase,
  nowMs: number,
): AppState {
  let next = setPresent(state, group, userId, false);
  next = clearTyping(next, group, userId);
  if (!next.rooms[group]) return next;
  return withRoom(next, group, (room) =>
    addSystem({ ...room, members: room.members.filter((m) => m.userId !== userId) }, line, nowMs),
  );
}

export function dropGroup(state: AppState, group: string): AppState {
  const { [group]: _room, ...rooms } = state.rooms;
  const { [group]: _typing, ...typing } = state.typing;
  return { ...state, groups: state.groups.filter((g) => g.id !== group), rooms, typing };
}

export function mapGroup(
  state: AppState,
  group: string,
  update: (g: GroupSummary) => GroupSummary,
): AppState {
  if (!state.groups.some((g) => g.id === group)) return state;
  return { ...state, groups: state.groups.map((g) => (g.id === group ? update(g) : g)) };
}

export function mapFriend(
  state: AppState,
  userId: string,
  update: (f: AppState["friends"][number]) => AppState["friends"][number],
): AppState {
  return { ...state, friends: state.friends.map((f) => (f.id === userId ? update(f) : f)) };
}
