// The whole client state as one plain, immutable value. Reducers (frames.ts, sends.ts) return
// a new value; store.ts keeps it in a signal so views re-render.
import type {
  ClientLimits,
  FriendSummary,
  GroupSummary,
  MemberSummary,
  Message,
  Retention,
  UserSummary,
} from "@clofri/protocol";

export type Status = "active" | "idle";

export interface PendingSend {
  key: string;
  text: string;
  createdAt: number;
  state: "pending" | "failed";
  /** Why it failed, worded for people. */
  error: string | null;
  /** Set by the ack; the message frame may arrive before or after it. */
  id: string | null;
}

export interface SystemLine {
  id: string;
  ts: number;
  text: string;
}

export interface RoomState {
  /** This tab has asked to be in the room (and rejoins it after a reconnect). */
  wanted: boolean;
  /** The server answered the join with group_state on the current socket. */
  joined: boolean;
  epoch: string | null;
  lastSeq: number;
  members: MemberSummary[];
  messages: Message[];
  system: SystemLine[];
  pending: PendingSend[];
  retention: Retention;
  /** Messages missed while away and already gone, from the last resume (0: no banner). */
  expiredMissed: number;
  /** The room came back under a new epoch: what we showed before is gone on the server. */
  restarted: boolean;
  /** Something new arrived while the room was not on screen. */
  unread: boolean;
  /** A room-level problem to show (muted, room unavailable, rate limited). */
  notice: string | null;
}

export interface IncomingRequest {
  id: string;
  from: UserSummary;
}

export interface AppState {
  me: UserSummary | null;
  friends: FriendSummary[];
  groups: GroupSummary[];
  /** groupId → userId → status, from user_idle/user_active and group_state. */
  statuses: Record<string, Record<string, Status>>;
  /** groupId → userId → display name of who is typing (only for rooms this tab is in). */
  typing: Record<string, Record<string, string>>;
  rooms: Record<string, RoomState>;
  /** Requests that arrived live; views merge them with GET /api/friends/requests. */
  incomingRequests: IncomingRequest[];
  limits: ClientLimits;
  heartbeatMs: number;
  /** Server clock minus ours, from hello.serverTime. */
  clockOffsetMs: number;
  /** The group on screen, if any (its messages are not "unread"). */
  viewing: string | null;
  /** A one-off message for the person, e.g. "You were removed from Couch". */
  flash: string | null;
}

export const ROOM_RESTARTING = "The room had to restart; rejoining…";

export const DEFAULT_RETENTION: Retention = { maxMessages: 50, maxAgeMs: 86_400_000 };

export const INITIAL_STATE: AppState = {
  me: null,
  friends: [],
  groups: [],
  statuses: {},
  typing: {},
  rooms: {},
  incomingRequests: [],
  limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
  heartbeatMs: 15_000,
  clockOffsetMs: 0,
  viewing: null,
  flash: null,
};

export function emptyRoom(retention: Retention = DEFAULT_RETENTION): RoomState {
  return {
    wanted: false,
    joined: false,
    epoch: null,
    lastSeq: 0,
    members: [],
    messages: [],
    system: [],
    pending: [],
    retention,
    expiredMissed: 0,
    restarted: false,
    unread: false,
    notice: null,
  };
}

export function roomOf(state: AppState, group: string): RoomState {
  return state.rooms[group] ?? emptyRoom();
}

export function withRoom(
  state: AppState,
  group: string,
  update: (room: RoomState) => RoomState,
): AppState {
  return { ...state, rooms: { ...state.rooms, [group]: update(roomOf(state, group)) } };
}

export function displayNameOf(state: AppState, group: string, userId: string): string {
  if (state.me?.id === userId) return state.me.displayName;
  const member = state.rooms[group]?.members.find((m) => m.userId === userId);
  if (member) return member.displayName;
  return state.friends.find((f) => f.id === userId)?.displayName ?? "Someone";
}
