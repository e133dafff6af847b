import type { ClientFrame } from "../client-frames.ts";
import type { GroupSummary, Message, ServerFrame } from "../server-frames.ts";

export const GROUP_ID = "7c1e4a52-1d2b-4c5e-9f00-0b9a8c7d6e5f";
export const USER_ID = "0b9a8c7d-6e5f-4a52-8d2b-7c1e4a521d2b";
export const FRIEND_ID = "5f6e7d8c-9a0b-4c1d-9e2f-3a4b5c6d7e8f";
export const MESSAGE_ID = "a1b2c3d4-e5f6-4789-8abc-def012345678";

/** Every client frame type at least once, with and without its optional fields. */
export const sampleClientFrames: readonly ClientFrame[] = [
  { type: "join", group: GROUP_ID },
  { type: "join", group: GROUP_ID, epoch: "ep-1763800000000-1", afterSeq: 41, ref: "1" },
  { type: "join", group: GROUP_ID, afterSeq: 0, ref: "r".repeat(64) },
  { type: "leave", group: GROUP_ID, ref: "2" },
  { type: "send", group: GROUP_ID, text: "anyone up?", key: "k-42", ref: "3" },
  { type: "send", group: GROUP_ID, text: "__proto__", key: "k".repeat(64) },
  { type: "send", group: GROUP_ID, text: "", key: "k" },
  { type: "typing_start", group: GROUP_ID, ref: "4" },
  { type: "typing_start", group: GROUP_ID.toUpperCase() },
  { type: "typing_stop", group: GROUP_ID },
  { type: "heartbeat" },
  { type: "heartbeat", idle: true, ref: "5" },
  { type: "heartbeat", idle: false },
];

export const sampleMessage: Message = {
  id: MESSAGE_ID,
  group: GROUP_ID,
  seq: 42,
  userId: USER_ID,
  displayName: "Sam",
  text: "anyone up?\nhello 😀",
  ts: 1_763_800_000_000,
  key: "k-42",
};

const user = { id: USER_ID, displayName: "Sam", avatarUrl: "https://example.com/sam.png" };
const friend = {
  id: FRIEND_ID,
  displayName: "Alex",
  avatarUrl: null,
  online: false,
  lastSeen: 1_763_799_000_000,
};
const groupSummary: GroupSummary = {
  id: GROUP_ID,
  name: "Couch",
  kind: "group",
  role: "creator",
  muted: false,
  present: [USER_ID],
};

/** Every server frame type at least once, with and without its optional fields. */
export const sampleServerFrames: readonly ServerFrame[] = [
  {
    type: "hello",
    user,
    friends: [friend, { ...friend, id: USER_ID, online: true, lastSeen: null }],
    groups: [groupSummary, { ...groupSummary, kind: "direct", role: "member", present: [] }],
    heartbeatMs: 15_000,
    limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
    serverTime: 1_763_800_000_000,
  },
  {
    type: "group_state",
    ref: "1",
    group: GROUP_ID,
    epoch: "ep-1763800000000-1",
    members: [
      { userId: USER_ID, displayName: "Sam", avatarUrl: null, status: "active", typing: false },
      { userId: FRIEND_ID, displayName: "Alex", avatarUrl: "a.png", status: "idle", typing: true },
    ],
    messages: [sampleMessage, { ...sampleMessage, seq: 43, id: FRIEND_ID }],
    expired: 3,
    retention: { maxMessages: 50, maxAgeMs: 86_400_000 },
  },
  {
    type: "group_state",
    group: GROUP_ID,
    epoch: "e2",
    members: [],
    messages: [],
    expired: 0,
    retention: { maxMessages: 50, maxAgeMs: 86_400_000 },
  },
  { type: "message", ...sampleMessage },
  { type: "user_joined", group: GROUP_ID, userId: USER_ID, displayName: "Sam" },
  { type: "user_left", group: GROUP_ID, userId: USER_ID },
  { type: "user_idle", group: GROUP_ID, userId: USER_ID },
  { type: "user_active", group: GROUP_ID, userId: USER_ID },
  { type: "user_typing", group: GROUP_ID, userId: USER_ID, displayName: "Sam" },
  { type: "user_stopped_typing", group: GROUP_ID, userId: USER_ID },
  { type: "friend_online", userId: FRIEND_ID },
  { type: "friend_offline", userId: FRIEND_ID, lastSeen: 1_763_800_000_000 },
  { type: "friend_request", request: { id: MESSAGE_ID, from: user } },
  { type: "friend_added", friend },
  { type: "friend_removed", userId: FRIEND_ID },
  { type: "group_added", group: groupSummary },
  { type: "group_updated", group: GROUP_ID, name: "Couch 2" },
  { type: "group_deleted", group: GROUP_ID },
  { type: "member_kicked", group: GROUP_ID, userId: FRIEND_ID },
  { type: "member_muted", group: GROUP_ID, userId: FRIEND_ID, muted: true },
  { type: "member_left", group: GROUP_ID, userId: FRIEND_ID },
  { type: "member_left", group: GROUP_ID, userId: USER_ID, creatorId: FRIEND_ID },
  { type: "heartbeat_ack", ts: 1_763_800_000_000 },
  { type: "ack", ref: "3", id: MESSAGE_ID, ts: 1_763_800_000_000 },
  { type: "ack", ref: "2" },
  { type: "error", ref: "9", code: "rate_limited", message: "slow down", retryAfterMs: 1_500 },
  { type: "error", code: "invalid_frame", message: "not JSON" },
];
