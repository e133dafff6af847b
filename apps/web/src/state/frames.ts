// How each server frame changes the client state. Pure: (state, frame, now) → state.
import type {
  GroupStateFrame,
  GroupSummary,
  MemberSummary,
  Message,
  ServerFrame,
} from "@clofri/protocol";
import {
  type AppState,
  displayNameOf,
  ROOM_RESTARTING,
  type RoomState,
  roomOf,
  type Status,
  type SystemLine,
  withRoom,
} from "./app-state.ts";
import { retained } from "./retention.ts";

const MAX_SYSTEM_LINES = 20;

export function reduceFrame(state: AppState, frame: ServerFrame, nowMs: number): AppState {
  switch (frame.type) {
    case "hello": {
      const groupIds = new Set(frame.groups.map((group) => group.id));
      const rooms = Object.fromEntries(
        Object.entries(state.rooms)
          .filter(([group]) => groupIds.has(group))
          .map(([group, room]) => [group, { ...room, joined: false }]),
      );
      const statuses = Object.fromEntries(
        frame.groups.map((group) => [group.id, presentStatuses(group, state.statuses[group.id])]),
      );
      return {
        ...state,
        me: frame.user,
        friends: frame.friends,
        groups: frame.groups,
        statuses,
        typing: {},
        rooms,
        limits: frame.limits,
        heartbeatMs: frame.heartbeatMs,
        clockOffsetMs: frame.serverTime - nowMs,
      };
    }
    case "group_state":
      return groupState(state, frame, nowMs);
    case "message":
      return message(state, frame, nowMs);
    case "user_joined": {
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
      };
      return withRoom(withStatus, frame.group, (r) =>
        addSystem({ ...r, members: [...r.members, member] }, `${frame.displayName} joined`, nowMs),
      );
    }
    case "user_left": {
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
          ? addSystem({ ...room, members }, `${name} left`, nowMs)
          : { ...room, members };
      });
    }
    case "user_idle":
    case "user_active":
      return setStatus(
        state,
        frame.group,
        frame.userId,
        frame.type === "user_idle" ? "idle" : "active",
      );
    case "user_typing":
      if (frame.userId === state.me?.id) return state;
      return {
        ...state,
        typing: {
          ...state.typing,
          [frame.group]: { ...state.typing[frame.group], [frame.userId]: frame.displayName },
        },
      };
    case "user_stopped_typing":
      return clearTyping(state, frame.group, frame.userId);
    case "friend_online":
      return mapFriend(state, frame.userId, (f) => ({
        ...f,
        online: true,
        lastSeen: nowMs + state.clockOffsetMs,
      }));
    case "friend_offline":
      return mapFriend(state, frame.userId, (f) => ({
        ...f,
        online: false,
        lastSeen: frame.lastSeen,
      }));
    case "friend_request":
      if (state.incomingRequests.some((r) => r.id === frame.request.id)) return state;
      return { ...state, incomingRequests: [...state.incomingRequests, frame.request] };
    case "friend_added": {
      const friends = [...state.friends.filter((f) => f.id !== frame.friend.id), frame.friend];
      friends.sort((a, b) => a.displayName.localeCompare(b.displayName));
      const incomingRequests = state.incomingRequests.filter((r) => r.from.id !== frame.friend.id);
      return { ...state, friends, incomingRequests };
    }
    case "friend_removed":
      return { ...state, friends: state.friends.filter((f) => f.id !== frame.userId) };
    case "group_added": {
      const groups = [...state.groups.filter((g) => g.id !== frame.group.id), frame.group];
      const statuses = {
        ...state.statuses,
        [frame.group.id]: presentStatuses(frame.group, state.statuses[frame.group.id]),
      };
      return { ...state, groups, statuses };
    }
    case "group_updated":
      return mapGroup(state, frame.group, (g) => ({ ...g, name: frame.name }));
    case "group_deleted": {
      const name = state.groups.find((g) => g.id === frame.group)?.name;
      const next = dropGroup(state, frame.group);
      return state.viewing === frame.group && name !== undefined
        ? { ...next, flash: `${name} was deleted.` }
        : next;
    }
    case "member_kicked": {
      if (frame.userId === state.me?.id) {
        const name = state.groups.find((g) => g.id === frame.group)?.name ?? "the group";
        return { ...dropGroup(state, frame.group), flash: `You were removed from ${name}.` };
      }
      const name = displayNameOf(state, frame.group, frame.userId);
      return removeMember(state, frame.group, frame.userId, `${name} was removed`, nowMs);
    }
    case "member_left": {
      if (frame.userId === state.me?.id) return dropGroup(state, frame.group);
      const name = displayNameOf(state, frame.group, frame.userId);
      let next = removeMember(state, frame.group, frame.userId, `${name} left the group`, nowMs);
      if (frame.creatorId !== undefined && frame.creatorId === state.me?.id) {
        next = mapGroup(next, frame.group, (g) => ({ ...g, role: "creator" }));
      }
      return next;
    }
    case "member_muted": {
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
        addSystem(room, `${name} was ${frame.muted ? "muted" : "unmuted"}`, nowMs),
      );
    }
    case "error": {
      if (frame.code !== "room_unavailable" || frame.ref !== undefined) return state;
      // `group` is the gateway's addition; a server without it names the group in the text.
      const group =
        frame.group ??
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(frame.message)?.[0];
      if (!group || !state.rooms[group]) return state;
      return withRoom(state, group.toLowerCase(), (room) => ({
        ...room,
        joined: false,
        notice: ROOM_RESTARTING,
      }));
    }
    case "ack":
    case "heartbeat_ack":
      return state;
    default:
      return state; // a frame type this client does not know: ignored, as PROTOCOL asks
  }
}

function groupState(state: AppState, frame: GroupStateFrame, nowMs: number): AppState {
  const before = roomOf(state, frame.group);
  const sameEpoch = before.epoch === frame.epoch;
  const merged = mergeMessages(sameEpoch ? before.messages : [], frame.messages);
  const nowServer = nowMs + state.clockOffsetMs;
  const messages = retained(merged, frame.retention, nowServer);
  const arrivedKeys = new Set(messages.filter((m) => m.userId === state.me?.id).map((m) => m.key));
  const room: RoomState = {
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
  };
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

function message(state: AppState, frame: Message & { type: "message" }, nowMs: number): AppState {
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
  }));
  return clearTyping(next, msg.group, msg.userId);
}

function mergeMessages(old: readonly Message[], incoming: readonly Message[]): Message[] {
  const byId = new Map(old.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

function addSystem(room: RoomState, text: string, nowMs: number): RoomState {
  const line: SystemLine = { id: `s${nowMs}-${room.system.length}-${text}`, ts: nowMs, text };
  return { ...room, system: [...room.system, line].slice(-MAX_SYSTEM_LINES) };
}

function presentStatuses(
  group: GroupSummary,
  known: Record<string, Status> | undefined,
): Record<string, Status> {
  return Object.fromEntries(group.present.map((userId) => [userId, known?.[userId] ?? "active"]));
}

function setPresent(state: AppState, group: string, userId: string, present: boolean): AppState {
  return mapGroup(state, group, (g) => {
    const others = g.present.filter((id) => id !== userId);
    return { ...g, present: present ? [...others, userId] : others };
  });
}

function setStatus(state: AppState, group: string, userId: string, status: Status): AppState {
  const statuses = { ...state.statuses, [group]: { ...state.statuses[group], [userId]: status } };
  const room = state.rooms[group];
  if (!room) return { ...state, statuses };
  const members = room.members.map((m) => (m.userId === userId ? { ...m, status } : m));
  return { ...state, statuses, rooms: { ...state.rooms, [group]: { ...room, members } } };
}

function clearTyping(state: AppState, group: string, userId: string): AppState {
  const typing = state.typing[group];
  if (!typing || !(userId in typing)) return state;
  const { [userId]: _gone, ...rest } = typing;
  return { ...state, typing: { ...state.typing, [group]: rest } };
}

function removeMember(
  state: AppState,
  group: string,
  userId: string,
  line: string,
  nowMs: number,
): AppState {
  let next = setPresent(state, group, userId, false);
  next = clearTyping(next, group, userId);
  if (!next.rooms[group]) return next;
  return withRoom(next, group, (room) =>
    addSystem({ ...room, members: room.members.filter((m) => m.userId !== userId) }, line, nowMs),
  );
}

function dropGroup(state: AppState, group: string): AppState {
  const { [group]: _room, ...rooms } = state.rooms;
  const { [group]: _typing, ...typing } = state.typing;
  return { ...state, groups: state.groups.filter((g) => g.id !== group), rooms, typing };
}

function mapGroup(
  state: AppState,
  group: string,
  update: (g: GroupSummary) => GroupSummary,
): AppState {
  if (!state.groups.some((g) => g.id === group)) return state;
  return { ...state, groups: state.groups.map((g) => (g.id === group ? update(g) : g)) };
}

function mapFriend(
  state: AppState,
  userId: string,
  update: (f: AppState["friends"][number]) => AppState["friends"][number],
): AppState {
  return { ...state, friends: state.friends.map((f) => (f.id === userId ? update(f) : f)) };
}
