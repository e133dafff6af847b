import * as v from "valibot";

// What server frames carry (people, groups, members, messages), decoded leniently: `v.object`
// drops fields this version does not know, and ids are plain strings (the client trusts the
// server's ids; only client input is uuid-checked). The frames are in server-frames.ts.
export const id = v.string();
export const text = v.string();
export const flag = v.boolean();
export const timeMs = v.pipe(v.number(), v.safeInteger());
export const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const avatarUrl = v.nullable(v.string());
export const optionalRef = v.optional(v.string());

export const UserSummarySchema = v.object({ id, displayName: text, avatarUrl });

/** v1.1: how a friend appears (appear offline shows as "offline"). */
export const FriendStatusSchema = v.picklist(["active", "idle", "busy", "offline"]);
/** v1.1: how a person chose to appear (`offline`: appear offline). */
export const PresenceModeSchema = v.picklist(["auto", "busy", "offline"]);

export const FriendSummarySchema = v.object({
  id,
  displayName: text,
  avatarUrl,
  online: flag,
  // null for a friend who has never been online.
  lastSeen: v.nullable(timeMs),
  status: v.optional(FriendStatusSchema),
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

export const seq = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** Awareness: a member's read mark, `null` when they have not read anything in this epoch. */
const readSeq = v.optional(v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0))), null);

export const MemberSummarySchema = v.object({
  userId: id,
  displayName: text,
  avatarUrl,
  status: v.picklist(["active", "idle"]),
  typing: flag,
  readSeq,
});

/** A reply's quote while the quoted message is in the room's buffer: an 80-character excerpt. */
export const QuoteSchema = v.object({ id, userId: id, displayName: text, excerpt: text });
/** A reply's quote once the quoted message has faded or been unsent. */
export const GoneQuoteSchema = v.object({ id, gone: v.literal(true) });

export const MessageSchema = v.object({
  id,
  group: id,
  seq,
  userId: id,
  displayName: text,
  text,
  ts: timeMs,
  key: text,
  /** Awareness: the members this message mentions (possibly none). */
  mentions: v.optional(v.array(id), []),
  /** Message actions: emoji → who reacted with it, in the order they did. */
  reactions: v.optional(v.record(v.string(), v.array(id)), () => ({})),
  /** Message actions: the message this one replies to. */
  replyTo: v.optional(v.union([QuoteSchema, GoneQuoteSchema])),
  /** Message actions: when the author last edited it. */
  editedAt: v.optional(timeMs),
});

/** The newest message of a group in one line: its author and its text cut to 80 characters. */
export const PreviewSchema = v.object({ userId: id, displayName: text, text });

/** Awareness: what a member has not seen in a group, as `hello.groups[]` and `group_activity` say. */
export const activityEntries = {
  unread: v.optional(count, 0),
  mentioned: v.optional(flag, false),
  lastActivityAt: v.optional(v.nullable(timeMs), null),
  preview: v.optional(v.nullable(PreviewSchema), null),
};

/** A group as `hello` lists it: its summary and what I have not seen there. */
export const HelloGroupSchema = v.object({ ...GroupSummarySchema.entries, ...activityEntries });

export const FriendRequestSchema = v.object({ id, from: UserSummarySchema });

export const RetentionSchema = v.object({ maxMessages: count, maxAgeMs: count });

export const ClientLimitsSchema = v.object({
  maxTextLength: count,
  maxMessages: count,
  maxAgeMs: count,
  messagesPerMinute: count,
});

export type UserSummary = v.InferOutput<typeof UserSummarySchema>;
export type FriendSummary = v.InferOutput<typeof FriendSummarySchema>;
export type GroupSummary = v.InferOutput<typeof GroupSummarySchema>;
export type HelloGroup = v.InferOutput<typeof HelloGroupSchema>;
export type Preview = v.InferOutput<typeof PreviewSchema>;
export type GroupKind = GroupSummary["kind"];
export type GroupRole = GroupSummary["role"];
export type MemberSummary = v.InferOutput<typeof MemberSummarySchema>;
export type MemberStatus = MemberSummary["status"];
export type Message = v.InferOutput<typeof MessageSchema>;
export type FriendRequest = v.InferOutput<typeof FriendRequestSchema>;
export type Retention = v.InferOutput<typeof RetentionSchema>;
export type ClientLimits = v.InferOutput<typeof ClientLimitsSchema>;
export type FriendStatus = v.InferOutput<typeof FriendStatusSchema>;
export type PresenceMode = v.InferOutput<typeof PresenceModeSchema>;
export type Quote = v.InferOutput<typeof QuoteSchema>;
export type GoneQuote = v.InferOutput<typeof GoneQuoteSchema>;
