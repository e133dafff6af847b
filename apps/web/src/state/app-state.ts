// The whole client state as one plain, immutable value. Reducers (frames.ts, sends.ts) return
// a new value; store.ts keeps it in a signal so views re-render.
import type {
  ClientLimits,
  FriendSummary,
  GroupSummary,
  HelloFrame,
  MemberSummary,
  Message,
  Preview,
  Retention,
  UserSummary,
} from "@clofri/protocol";
import { LIMITS } from "@clofri/protocol/codes";
import type { Phrase } from "./wording.ts";

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
  text: Phrase;
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
  /** Read marks by user id (mine included): group_state, read_up_to, and each one's messages. */
  marks: Record<string, number>;
  /** Ids of my messages that went out while someone else was in the room. */
  delivered: string[];
  /** While the room is on screen: the "new messages" line follows this seq (null: not yet). */
  dividerSeq: number | null;
}

/** What I have not seen in a group (hello, group_activity, messages). */
export interface GroupActivity {
  unread: number;
  mentioned: boolean;
  lastActivityAt: number | null;
  preview: Preview | null;
}

export interface IncomingRequest {
  id: string;
  from: UserSummary;
}

export interface OutgoingRequest {
  id: string;
  to: UserSummary;
}

/** Me as hello says: with my presence mode (auto, busy, appear offline). */
type Me = HelloFrame["user"];

export interface AppState {
  me: Me | null;
  friends: FriendSummary[];
  groups: GroupSummary[];
  /** groupId → userId → status, from user_idle/user_active and group_state. */
  statuses: Record<string, Record<string, Status>>;
  /** groupId → userId → display name of who is typing (only for rooms this tab is in). */
  typing: Record<string, Record<string, string>>;
  rooms: Record<string, RoomState>;
  /** Pending requests to me and from me: loaded at every hello and navigation, then kept live. */
  incomingRequests: IncomingRequest[];
  outgoingRequests: OutgoingRequest[];
  /** Bumped by every live change to the requests, so a load that crossed one is redone. */
  requestsRevision: number;
  limits: ClientLimits;
  heartbeatMs: number;
  /** Server clock minus ours, from hello.serverTime. */
  clockOffsetMs: number;
  /** The group on screen, if any (its messages are not "unread"). */
  viewing: string | null;
  /** Names and pictures changed since the last hello (profile_updated), by user id. */
  profiles: Record<string, UserSummary>;
  /** A one-off message for the person, e.g. "You were removed from Couch". */
  flash: Phrase | null;
  /** What I have not seen in each group, by group id (hello, group_activity, messages). */
  activity: Record<string, GroupActivity>;
  /** The tab is visible and focused: what is on screen is being seen. */
  attentive: boolean;
}

export const ROOM_RESTARTING = "The room had to restart; rejoining…";

/** Until hello and group_state say what the server uses, its defaults. */
const DEFAULT_RETENTION: Retention = {
  maxMessages: LIMITS.maxMessages,
  maxAgeMs: LIMITS.maxAgeMs,
};
const DEFAULT_LIMITS: ClientLimits = {
  maxTextLength: LIMITS.maxTextLength,
  maxMessages: LIMITS.maxMessages,
  maxAgeMs: LIMITS.maxAgeMs,
  messagesPerMinute: LIMITS.messagesPerMinute,
};

export const INITIAL_STATE: AppState = {
  me: null,
  friends: [],
  groups: [],
  statuses: {},
  typing: {},
  rooms: {},
  incomingRequests: [],
  outgoingRequests: [],
  requestsRevision: 0,
  limits: DEFAULT_LIMITS,
  heartbeatMs: LIMITS.heartbeatMs,
  clockOffsetMs: 0,
  viewing: null,
  profiles: {},
  flash: null,
  activity: {},
  attentive: true,
};

function emptyRoom(retention: Retention = DEFAULT_RETENTION): RoomState {
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
    marks: {},
    delivered: [],
    dividerSeq: null,
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

/** The name the client knows someone by now, newest source first; undefined for a stranger. */
export function currentNameOf(state: AppState, group: string, userId: string): string | undefined {
  return (
    state.profiles[userId]?.displayName ??
    (state.me?.id === userId ? state.me.displayName : undefined) ??
    state.rooms[group]?.members.find((m) => m.userId === userId)?.displayName ??
    state.friends.find((f) => f.id === userId)?.displayName
  );
}

export function displayNameOf(state: AppState, group: string, userId: string): string {
  return currentNameOf(state, group, userId) ?? "Someone";
}
