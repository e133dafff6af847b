import type { ActorContext } from "@clofri/actors";
import type { ErrorCode, GroupStateFrame } from "@clofri/protocol";

// The room's contract: every message it handles and what each call answers, with or without a
// running room. Expected failures are values carrying a protocol error code and a message fit for
// an `error` frame.

export interface RoomUser {
  id: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface JoinRequest {
  connId: string;
  user: RoomUser;
  /** From `group_members.muted`; later changes arrive as `set_muted`. */
  isMuted: boolean;
  /** Whether this connection is idle already (its last heartbeat said so). */
  isIdle?: boolean;
  /** The person appears offline: the room shows them, the group's home presence does not. */
  isHidden?: boolean;
  /** Resume: the epoch and the last seq the client saw. */
  epoch?: string;
  afterSeq?: number;
  /** The join frame's ref, echoed in the `group_state` the room sends. */
  ref?: string;
}

export interface LeaveRequest {
  connId: string;
  userId: string;
}

export interface DisconnectRequest {
  connId: string;
  userId: string;
  /** A clean close is shown at once; an unclean drop keeps the user present for the grace. */
  isClean: boolean;
}

export interface SendRequest {
  connId: string;
  userId: string;
  displayName: string;
  /** Raw client text; the room applies `normalizeText`. */
  text: string;
  /** Idempotency key. */
  key: string;
  /** User ids the message mentions; the room keeps the group's members among them. */
  mentions?: readonly string[] | undefined;
  /** The id of the message this one replies to. */
  replyTo?: string | undefined;
}

/** Message actions: the author, or the group's creator, removes a message. */
export interface UnsendRequest {
  connId: string;
  userId: string;
  id: string;
  /** Whether the user is the group's creator (the edge knows their role). */
  isCreator: boolean;
}

export interface EditRequest {
  connId: string;
  userId: string;
  id: string;
  /** Raw client text; the room applies `normalizeText`. */
  text: string;
}

export interface ReactRequest {
  connId: string;
  userId: string;
  id: string;
  emoji: string;
  on: boolean;
}

/** "I have seen the room up to `seq`." */
export interface ReadRequest {
  connId: string;
  userId: string;
  seq: number;
}

/** Someone became a member of the group (an invite accepted, a direct chat opened). */
interface MemberAddedRequest {
  userId: string;
}

export interface TypingStartRequest {
  connId: string;
  userId: string;
  displayName: string;
}

export interface TypingStopRequest {
  connId: string;
  userId: string;
}

export interface SetIdleRequest {
  connId: string;
  userId: string;
  isIdle: boolean;
}

export interface SetMutedRequest {
  userId: string;
  isMuted: boolean;
}

/** The member's name or avatar changed: the room shows the new one to whoever joins next. */
export interface RenameRequest {
  userId: string;
  displayName: string;
  avatarUrl: string | null;
}

interface SetHiddenRequest {
  userId: string;
  isHidden: boolean;
}

export interface KickRequest {
  userId: string;
}

export interface CloseRequest {
  reason: string;
}

export interface RoomFailure<Code extends ErrorCode = ErrorCode> {
  ok: false;
  code: Code;
  message: string;
}

/** Every call may get this: the room crashed on it, gave up, or is overloaded. */
export type Unavailable = RoomFailure<"room_unavailable">;

/** The fields of `group_state`. */
export type GroupState = Omit<GroupStateFrame, "type" | "ref">;

/** The room sent `group_state` (with the ref) to the connection itself: don't send it again. */
export type JoinResult = { ok: true; state: GroupState } | Unavailable;
export type LeaveResult = { ok: true } | RoomFailure<"not_joined"> | Unavailable;
/** The message is published; the reply to the `send` frame is the caller's to write. */
export type SendResult =
  | { ok: true; id: string; ts: number; seq: number }
  | RoomFailure<"not_joined" | "muted" | "text_invalid">
  | Unavailable;
export type ReadResult = { ok: true } | RoomFailure<"not_joined"> | Unavailable;
type ActionFailure = RoomFailure<"not_joined" | "not_found"> | Unavailable;
export type UnsendResult = { ok: true } | RoomFailure<"forbidden"> | ActionFailure;
export type EditResult =
  | { ok: true }
  | RoomFailure<"forbidden" | "edit_window" | "muted" | "text_invalid">
  | ActionFailure;
export type ReactResult =
  | { ok: true }
  | RoomFailure<"muted" | "too_many_reactions" | "invalid_frame">
  | ActionFailure;
export type TypingResult = { ok: true } | RoomFailure<"not_joined" | "muted"> | Unavailable;
export type SetMutedResult = { ok: true } | Unavailable;
/** The connections taken out of the room (already unsubscribed from its topic). */
export type RemovedResult = { ok: true; connIds: string[] } | Unavailable;

/** Requests that get a reply, by type. */
interface RoomCallRequests {
  join: JoinRequest;
  leave: LeaveRequest;
  send: SendRequest;
  typing_start: TypingStartRequest;
  typing_stop: TypingStopRequest;
  read: ReadRequest;
  unsend: UnsendRequest;
  edit: EditRequest;
  react: ReactRequest;
  set_muted: SetMutedRequest;
  kick: KickRequest;
  close: CloseRequest;
}

/** The reply of each call. */
export interface RoomReplies {
  join: JoinResult;
  leave: LeaveResult;
  send: SendResult;
  typing_start: TypingResult;
  typing_stop: TypingResult;
  read: ReadResult;
  unsend: UnsendResult;
  edit: EditResult;
  react: ReactResult;
  set_muted: SetMutedResult;
  kick: RemovedResult;
  close: RemovedResult;
}

/** Requests without a reply, by type. */
interface RoomCastRequests {
  disconnect: DisconnectRequest;
  set_idle: SetIdleRequest;
  rename: RenameRequest;
  member_added: MemberAddedRequest;
  set_hidden: SetHiddenRequest;
}

export type RoomCallType = keyof RoomCallRequests;
export type RoomCall<Type extends RoomCallType> = { type: Type } & RoomCallRequests[Type];
type RoomCast<Type extends keyof RoomCastRequests> = { type: Type } & RoomCastRequests[Type];
export type RoomCallMsg = { [Type in RoomCallType]: RoomCall<Type> }[RoomCallType];
export type RoomCastMsg = {
  [Type in keyof RoomCastRequests]: RoomCast<Type>;
}[keyof RoomCastRequests];

/** What the room sends itself through its timers. */
export type RoomTimerMsg =
  | { type: "typing_expired"; userId: string }
  | { type: "grace_expired"; userId: string }
  | { type: "linger_expired" }
  | { type: "activity_due" }
  | { type: "read_due"; userId: string };

/** Test hooks, handled by the actor itself: a throw as a bug would, a handler that never ends. */
export type RoomTestHook = { type: "crash" } | { type: "stall" };

export type RoomMsg = RoomCallMsg | RoomCastMsg | RoomTimerMsg | RoomTestHook;
export type RoomReply = RoomReplies[RoomCallType];
export type RoomContext = ActorContext<RoomMsg, RoomReply>;

export const OK: { ok: true } = Object.freeze({ ok: true });

export function failure<Code extends ErrorCode>(code: Code, message: string): RoomFailure<Code> {
  return { ok: false, code, message };
}

/** A group without a running room has nobody in it: what each call gets then (none starts). */
const WITHOUT_ROOM: {
  [Type in Exclude<RoomCallType, "join">]: (groupId: string) => RoomReplies[Type];
} = {
  leave: notJoined,
  send: notJoined,
  typing_start: notJoined,
  typing_stop: notJoined,
  read: notJoined,
  unsend: notJoined,
  edit: notJoined,
  react: notJoined,
  set_muted: () => OK,
  kick: nobodyRemoved,
  close: nobodyRemoved,
};

export function answerWithoutRoom<Type extends Exclude<RoomCallType, "join">>(
  groupId: string,
  type: Type,
): RoomReplies[Type] {
  return WITHOUT_ROOM[type](groupId);
}

export function notJoined(groupId: string): RoomFailure<"not_joined"> {
  return failure("not_joined", `this connection has not joined group ${groupId}`);
}

export function muted(groupId: string): RoomFailure<"muted"> {
  return failure("muted", `you are muted in group ${groupId}`);
}

export function nobodyRemoved(): RemovedResult {
  return { ok: true, connIds: [] };
}
