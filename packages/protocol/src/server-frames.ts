import * as v from "valibot";
import { ERROR_CODES } from "./codes.ts";
import {
  activityEntries,
  ClientLimitsSchema,
  count,
  FriendRequestSchema,
  FriendStatusSchema,
  FriendSummarySchema,
  flag,
  GroupSummarySchema,
  HelloGroupSchema,
  id,
  MemberSummarySchema,
  MessageSchema,
  optionalRef,
  PresenceModeSchema,
  RetentionSchema,
  seq,
  text,
  timeMs,
  UserSummarySchema,
} from "./server-shapes.ts";

function frame<const TType extends string, const TEntries extends v.ObjectEntries>(
  type: TType,
  entries: TEntries,
) {
  return v.object({ type: v.literal(type), ...entries });
}

const inGroup = { group: id, userId: id };

export const HelloFrameSchema = frame("hello", {
  user: v.object({ ...UserSummarySchema.entries, presenceMode: v.optional(PresenceModeSchema) }),
  friends: v.array(FriendSummarySchema),
  groups: v.array(HelloGroupSchema),
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
  /** Message actions, on a resume: the retained messages at or before `afterSeq` ever edited or reacted to. */
  updated: v.optional(v.array(MessageSchema)),
  /** Message actions, on a resume: ids of messages at or before `afterSeq` that were unsent. */
  removed: v.optional(v.array(id)),
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
/** `status` added (v1.1 addition of this project): busy or idle already when they come online. */
export const FriendOnlineFrameSchema = frame("friend_online", {
  userId: id,
  status: v.optional(FriendStatusSchema),
});
/** v1.1: a friend's status changed while they stay online (active, idle, busy). */
const FriendStatusFrameSchema = frame("friend_status", {
  userId: id,
  status: FriendStatusSchema,
});
/** Added: my presence mode changed (from another tab, or this one): my own sockets only. */
const PresenceModeFrameSchema = frame("presence_mode", { presenceMode: PresenceModeSchema });
export const FriendOfflineFrameSchema = frame("friend_offline", { userId: id, lastSeen: timeMs });
export const FriendRequestFrameSchema = frame("friend_request", { request: FriendRequestSchema });
/**
 * Added: a pending friend request is gone without a friendship: cancelled by the one who asked
 * (both hear it), or ignored (only the one who ignored it hears it: the asker is never told).
 */
export const FriendRequestRemovedFrameSchema = frame("friend_request_removed", { requestId: id });
export const FriendAddedFrameSchema = frame("friend_added", { friend: FriendSummarySchema });
export const FriendRemovedFrameSchema = frame("friend_removed", { userId: id });
/**
 * Added: someone's name or avatar changed. Sent to their own sockets, their friends and the
 * members of their groups, so that one person never shows under two names.
 */
export const ProfileUpdatedFrameSchema = frame("profile_updated", { user: UserSummarySchema });
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
/** Awareness: activity in a group whose room this member has not joined. */
export const GroupActivityFrameSchema = frame("group_activity", {
  group: id,
  seq,
  ...activityEntries,
});
/** Awareness: a member's read mark moved. */
export const ReadUpToFrameSchema = frame("read_up_to", {
  ...inGroup,
  seq: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});
/** Message actions: a message left the buffer before its time (its author or the creator). */
export const MessageRemovedFrameSchema = frame("message_removed", { group: id, id, by: id });
/** Message actions: a message's new text. */
export const MessageEditedFrameSchema = frame("message_edited", {
  group: id,
  id,
  text,
  editedAt: timeMs,
});
/** Message actions: one person's reaction on a message went on or off. */
export const ReactionFrameSchema = frame("reaction", {
  group: id,
  id,
  userId: id,
  emoji: text,
  on: flag,
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
  FriendStatusFrameSchema,
  PresenceModeFrameSchema,
  FriendRequestFrameSchema,
  FriendRequestRemovedFrameSchema,
  FriendAddedFrameSchema,
  FriendRemovedFrameSchema,
  ProfileUpdatedFrameSchema,
  GroupAddedFrameSchema,
  GroupUpdatedFrameSchema,
  GroupDeletedFrameSchema,
  MemberKickedFrameSchema,
  MemberMutedFrameSchema,
  MemberLeftFrameSchema,
  GroupActivityFrameSchema,
  ReadUpToFrameSchema,
  MessageRemovedFrameSchema,
  MessageEditedFrameSchema,
  ReactionFrameSchema,
  HeartbeatAckFrameSchema,
  AckFrameSchema,
  ErrorFrameSchema,
] as const;

/** Everything the server sends, one schema per frame, discriminated by `type`. */
export const ServerFrameSchema = v.variant("type", serverFrameSchemas);

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
export type FriendStatusFrame = v.InferOutput<typeof FriendStatusFrameSchema>;
export type PresenceModeFrame = v.InferOutput<typeof PresenceModeFrameSchema>;
export type FriendRequestFrame = v.InferOutput<typeof FriendRequestFrameSchema>;
export type FriendRequestRemovedFrame = v.InferOutput<typeof FriendRequestRemovedFrameSchema>;
export type FriendAddedFrame = v.InferOutput<typeof FriendAddedFrameSchema>;
export type FriendRemovedFrame = v.InferOutput<typeof FriendRemovedFrameSchema>;
export type ProfileUpdatedFrame = v.InferOutput<typeof ProfileUpdatedFrameSchema>;
export type GroupAddedFrame = v.InferOutput<typeof GroupAddedFrameSchema>;
export type GroupUpdatedFrame = v.InferOutput<typeof GroupUpdatedFrameSchema>;
export type GroupDeletedFrame = v.InferOutput<typeof GroupDeletedFrameSchema>;
export type MemberKickedFrame = v.InferOutput<typeof MemberKickedFrameSchema>;
export type MemberMutedFrame = v.InferOutput<typeof MemberMutedFrameSchema>;
export type MemberLeftFrame = v.InferOutput<typeof MemberLeftFrameSchema>;
export type GroupActivityFrame = v.InferOutput<typeof GroupActivityFrameSchema>;
export type ReadUpToFrame = v.InferOutput<typeof ReadUpToFrameSchema>;
export type MessageRemovedFrame = v.InferOutput<typeof MessageRemovedFrameSchema>;
export type MessageEditedFrame = v.InferOutput<typeof MessageEditedFrameSchema>;
export type ReactionFrame = v.InferOutput<typeof ReactionFrameSchema>;
export type HeartbeatAckFrame = v.InferOutput<typeof HeartbeatAckFrameSchema>;
export type AckFrame = v.InferOutput<typeof AckFrameSchema>;
export type ErrorFrame = v.InferOutput<typeof ErrorFrameSchema>;
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;
export type ServerFrameType = ServerFrame["type"];
