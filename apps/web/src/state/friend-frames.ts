// The frames about friends: online and offline, requests, added and removed.
import type {
  FriendAddedFrame,
  FriendOfflineFrame,
  FriendOnlineFrame,
  FriendRemovedFrame,
  FriendRequestFrame,
  FriendStatusFrame,
} from "@clofri/protocol";
import type { AppState } from "./app-state.ts";
import { requestsChanged, requestsSettledWith } from "./requests.ts";
import { mapFriend } from "./updates.ts";

export function friendOnline(state: AppState, frame: FriendOnlineFrame, nowMs: number): AppState {
  return mapFriend(state, frame.userId, (f) => ({
    ...f,
    online: true,
    lastSeen: nowMs + state.clockOffsetMs,
    status: frame.status ?? "active",
  }));
}

export function friendOffline(state: AppState, frame: FriendOfflineFrame): AppState {
  return mapFriend(state, frame.userId, (f) => ({
    ...f,
    online: false,
    lastSeen: frame.lastSeen,
    status: "offline",
  }));
}

/** Busy, idle or active again while online. */
export function friendStatusChanged(state: AppState, frame: FriendStatusFrame): AppState {
  return mapFriend(state, frame.userId, (f) => ({ ...f, status: frame.status }));
}

export function friendRequest(state: AppState, frame: FriendRequestFrame): AppState {
  if (state.incomingRequests.some((r) => r.id === frame.request.id)) return state;
  return requestsChanged(state, {
    incomingRequests: [...state.incomingRequests, frame.request],
    outgoingRequests: state.outgoingRequests,
  });
}

export function friendAdded(state: AppState, frame: FriendAddedFrame): AppState {
  const friends = [...state.friends.filter((f) => f.id !== frame.friend.id), frame.friend];
  friends.sort((a, b) => a.displayName.localeCompare(b.displayName));
  return requestsSettledWith({ ...state, friends }, frame.friend.id);
}

export function friendRemoved(state: AppState, frame: FriendRemovedFrame): AppState {
  return { ...state, friends: state.friends.filter((f) => f.id !== frame.userId) };
}
