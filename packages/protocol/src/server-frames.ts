import * as v from "valibot";
import { ERROR_CODES } from "./codes.ts";

// Server frames are decoded leniently: `v.object` drops fields this version does not know, and
// ids are plain strings (the client trusts the server's ids; only client input is uuid-checked).
const id = v.string();
const text = v.string();
const flag = v.boolean();
const timeMs = v.pipe(v.number(), v.safeInteger());
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const avatarUrl = v.nullable(v.string());
const optionalRef = v.optional(v.string());

export const UserSummarySchema = v.object({ id, displayName: text, avatarUrl });

export const FriendSummarySchema = v.object({
  id,
  displayName: text,
  avatarUrl,
  online: flag,
  // null for a friend who has never been online.
  lastSeen: v.nullable(timeMs),
});

export const GroupSummarySchema = v.object({
  id,
  name: text,
  kind: v.picklist(["group", "direct"]),
  role: v.picklist(["creator", "member"]),
  muted: flag,
  /** User ids of the members in the room right now. */
  present: v.array(id),
});

export const MemberSummarySchema = v.object({
  userId: id,
  displayName: text,
  avatarUrl,
  status: v.picklist(["active", "idle"]),
  typing: flag,
});

export const MessageSchema = v.object({
  id,
  group: id,
  seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  userId: id,
  displayName: text,
  text,
  ts: timeMs,
  key: text,
});

export const FriendRequestSchema = v.object({ id, from: UserSummarySchema });

export const RetentionSchema = v.object({ maxMessages: count, maxAgeMs: count });

export const ClientLimitsSchema = v.object({
  maxTextLength: count,
  maxMessages: count,
  maxAgeMs: count,
  messagesPerMinute: count,
});

function frame<const TType extends string, const TEntries extends v.ObjectEntries>(
  type: TType,
  entries: TEntries,
) {
  return v.object({ type: v.literal(type), ...entries });
}

const inGroup = { group: id, userId: id };

export const HelloFrameSchema = frame("hello", {
  user: UserSummarySchema,
  friends: v.array(FriendSummarySchema),
  groups: v.array(GroupSummarySchema),
  heartbeatMs: count,
  limits: ClientLimitsSchema,
  serverTime: timeMs,
});

export const GroupStateFrameSchema = frame("group_state", {
  ref: optionalRef,
  group: id,
  epoch: text,
  members: v.array(MemberSummarySchema),
  /** Oldest first. */
  messages: v.array(MessageSchema),
  /** Messages missed since `afterSeq` that had already expired, else 0. */
  expired: count,
  retention: RetentionSchema,
});

// The same fields as `Message`, so a room can send `{ type: "message", ...message }`.
export const MessageFrameSchema = frame("message", MessageSchema.entries);

export const UserJoinedFrameSchema = frame("user_joined", { ...inGroup, displayName: text });
export const UserLeftFrameSchema = frame("user_left", inGroup);
export const UserIdleFrameSchema = frame("user_idle", inGroup);
export const UserActiveFrameSchema = frame("user_active", inGroup);
export const UserTypingFrameSchema = frame("user_typing", { ...inGroup, displayName: text });
export const UserStoppedTypingFrameSchema = frame("user_stopped_typing", inGroup);
export const FriendOnlineFrameSchema = frame("friend_online", { userId: id });
export const FriendOfflineFrameSchema = frame("friend_offline", { userId: id, lastSeen: timeMs });
export const FriendRequestFrameSchema = frame("friend_request", { request: FriendRequestSchema });
export const FriendAddedFrameSchema = frame("friend_added", { friend: FriendSummarySchema });
export const FriendRemovedFrameSchema = frame("friend_removed", { userId: id });
export const GroupAddedFrameSchema = frame("group_added", { group: GroupSummarySchema });
export const GroupUpdatedFrameSchema = frame("group_updated", { group: id, name: text });
export const GroupDeletedFrameSchema = frame("group_deleted", { group: id });
export const MemberKickedFrameSchema = frame("member_kicked", inGroup);
export const MemberMutedFrameSchema = frame("member_muted", { ...inGroup, muted: flag });
/**
 * Added to PROTOCOL v1: a member left of their own accord. `creatorId` is set when the leaver was
 * the creator and the group passed to that member.
 */
export const MemberLeftFrameSchema = frame("member_left", {
  ...inGroup,
  creatorId: v.optional(id),
});
export const HeartbeatAckFrameSchema = frame("heartbeat_ack", { ts: timeMs });

/** `id` and `ts` are the reply fields of `send`; `leave` is acked with `ref` alone. */
export const AckFrameSchema = frame("ack", {
  ref: v.string(),
  id: v.optional(id),
  ts: v.optional(timeMs),
});

export const ErrorFrameSchema = frame("error", {
  ref: optionalRef,
  code: v.picklist(ERROR_CODES),
  message: text,
  retryAfterMs: v.optional(count),
  /** Addition: the group an unsolicited error is about (`room_unavailable` after a give-up). */
  group: v.optional(id),
});

const serverFrameSchemas = [
  HelloFrameSchema,
  GroupStateFrameSchema,
  MessageFrameSchema,
  UserJoinedFrameSchema,
  UserLeftFrameSchema,
  UserIdleFrameSchema,
  UserActiveFrameSchema,
  UserTypingFrameSchema,
  UserStoppedTypingFrameSchema,
  FriendOnlineFrameSchema,
  FriendOfflineFrameSchema,
  FriendRequestFrameSchema,
  FriendAddedFrameSchema,
  FriendRemovedFrameSchema,
  GroupAddedFrameSchema,
  GroupUpdatedFrameSchema,
  GroupDeletedFrameSchema,
  MemberKickedFrameSchema,
  MemberMutedFrameSchema,
  MemberLeftFrameSchema,
  HeartbeatAckFrameSchema,
  AckFrameSchema,
  ErrorFrameSchema,
] as const;

/** Everything the server sends, one schema per frame, discriminated by `type`. */
export const ServerFrameSchema = v.variant("type", serverFrameSchemas);

export type UserSummary = v.InferOutput<typeof UserSummarySchema>;
export type FriendSummary = v.InferOutput<typeof FriendSummarySchema>;
export type GroupSummary = v.InferOutput<typeof GroupSummarySchema>;
export type GroupKind = GroupSummary["kind"];
export type GroupRole = GroupSummary["role"];
export type MemberSummary = v.InferOutput<typeof MemberSummarySchema>;
export type MemberStatus = MemberSummary["status"];
export type Message = v.InferOutput<typeof MessageSchema>;
export type FriendRequest = v.InferOutput<typeof FriendRequestSchema>;
export type Retention = v.InferOutput<typeof RetentionSchema>;
export type ClientLimits = v.InferOutput<typeof ClientLimitsSchema>;

export type HelloFrame = v.InferOutput<typeof HelloFrameSchema>;
export type GroupStateFrame = v.InferOutput<typeof GroupStateFrameSchema>;
export type MessageFrame = v.InferOutput<typeof MessageFrameSchema>;
export type UserJoinedFrame = v.InferOutput<typeof UserJoinedFrameSchema>;
export type UserLeftFrame = v.InferOutput<typeof UserLeftFrameSchema>;
export type UserIdleFrame = v.InferOutput<typeof UserIdleFrameSchema>;
export type UserActiveFrame = v.InferOutput<typeof UserActiveFrameSchema>;
export type UserTypingFrame = v.InferOutput<typeof UserTypingFrameSchema>;
export type UserStoppedTypingFrame = v.InferOutput<typeof UserStoppedTypingFrameSchema>;
export type FriendOnlineFrame = v.InferOutput<typeof FriendOnlineFrameSchema>;
export type FriendOfflineFrame = v.InferOutput<typeof FriendOfflineFrameSchema>;
export type FriendRequestFrame = v.InferOutput<typeof FriendRequestFrameSchema>;
export type FriendAddedFrame = v.InferOutput<typeof FriendAddedFrameSchema>;
export type FriendRemovedFrame = v.InferOutput<typeof FriendRemovedFrameSchema>;
export type GroupAddedFrame = v.InferOutput<typeof GroupAddedFrameSchema>;
export type GroupUpdatedFrame = v.InferOutput<typeof GroupUpdatedFrameSchema>;
export type GroupDeletedFrame = v.InferOutput<typeof GroupDeletedFrameSchema>;
export type MemberKickedFrame = v.InferOutput<typeof MemberKickedFrameSchema>;
export type MemberMutedFrame = v.InferOutput<typeof MemberMutedFrameSchema>;
export type MemberLeftFrame = v.InferOutput<typeof MemberLeftFrameSchema>;
export type HeartbeatAckFrame = v.InferOutput<typeof HeartbeatAckFrameSchema>;
export type AckFrame = v.InferOutput<typeof AckFrameSchema>;
export type ErrorFrame = v.InferOutput<typeof ErrorFrameSchema>;
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;
export type ServerFrameType = ServerFrame["type"];
