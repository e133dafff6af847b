// How each server frame changes the client state: one pure reducer per frame type,
// (state, frame, now) → state, found in a table.
import type { ErrorFrame, HelloFrame, ServerFrame, ServerFrameType } from "@clofri/protocol";
import { messageEdited, messageRemoved, reaction } from "./action-frames.ts";
import { type AppState, ROOM_RESTARTING, withRoom } from "./app-state.ts";
import { groupActivity, helloActivity, readUpTo } from "./awareness.ts";
import {
  friendAdded,
  friendOffline,
  friendOnline,
  friendRemoved,
  friendRequest,
  friendStatusChanged,
} from "./friend-frames.ts";
import {
  groupAdded,
  groupDeleted,
  groupUpdated,
  memberKicked,
  memberLeft,
  memberMuted,
} from "./group-frames.ts";
import { profileUpdated } from "./profiles.ts";
import { requestAnswered } from "./requests.ts";
import {
  groupState,
  message,
  userJoined,
  userLeft,
  userStatus,
  userStoppedTyping,
  userTyping,
} from "./room-frames.ts";
import { presentStatuses } from "./updates.ts";

type FrameReducer<T extends ServerFrameType> = (
  state: AppState,
  frame: Extract<ServerFrame, { type: T }>,
  nowMs: number,
) => AppState;

/** `ack` and `heartbeat_ack` change nothing here: the socket client takes them. */
const REDUCERS: { [T in ServerFrameType]?: FrameReducer<T> } = {
  hello,
  error,
  group_state: groupState,
  message,
  user_joined: userJoined,
  user_left: userLeft,
  user_idle: userStatus,
  user_active: userStatus,
  user_typing: userTyping,
  user_stopped_typing: userStoppedTyping,
  friend_online: friendOnline,
  friend_offline: friendOffline,
  friend_status: friendStatusChanged,
  presence_mode: (state, frame) =>
    state.me ? { ...state, me: { ...state.me, presenceMode: frame.presenceMode } } : state,
  friend_request: friendRequest,
  friend_request_removed: (state, frame) => requestAnswered(state, frame.requestId),
  friend_added: friendAdded,
  friend_removed: friendRemoved,
  profile_updated: (state, frame) => profileUpdated(state, frame.user),
  group_added: groupAdded,
  group_updated: groupUpdated,
  group_deleted: groupDeleted,
  member_kicked: memberKicked,
  member_left: memberLeft,
  member_muted: memberMuted,
  group_activity: groupActivity,
  read_up_to: readUpTo,
  message_removed: messageRemoved,
  message_edited: messageEdited,
  reaction,
};

export function reduceFrame(state: AppState, frame: ServerFrame, nowMs: number): AppState {
  // A frame type this client does not know is ignored, as PROTOCOL asks.
  if (!Object.hasOwn(REDUCERS, frame.type)) return state;
  const reduce = REDUCERS[frame.type] as FrameReducer<ServerFrameType>;
  return reduce(state, frame, nowMs);
}

function hello(state: AppState, frame: HelloFrame, nowMs: number): AppState {
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
    activity: helloActivity(frame),
    statuses,
    typing: {},
    rooms,
    // The hello's names are newer than any update heard on an earlier socket.
    profiles: {},
    limits: frame.limits,
    heartbeatMs: frame.heartbeatMs,
    clockOffsetMs: frame.serverTime - nowMs,
  };
}

/** An unsolicited room_unavailable: the room stopped, so it is no longer joined. */
function error(state: AppState, frame: ErrorFrame): AppState {
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
