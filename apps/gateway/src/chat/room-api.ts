import type { ErrorCode, GroupStateFrame } from "@clofri/protocol";

// What the WebSocket layer asks of a room through `Rooms`, and what it gets back. Expected
// failures are values carrying a protocol error code and a message fit for an `error` frame.

export interface RoomUser {
  id: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface JoinRequest {
  connId: string;
  user: RoomUser;
  /** From `group_members.muted`; later changes arrive as `setMuted`. */
  isMuted: boolean;
  /** Whether this connection is idle already (its last heartbeat said so). */
  isIdle?: boolean;
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
  /** The send frame's ref: the room writes the ack itself, with the sender's copy. */
  ref?: string | undefined;
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

/** Every call may get this from `Rooms`: the room crashed on it, gave up, or is overloaded. */
export type Unavailable = RoomFailure<"room_unavailable">;

/** The fields of `group_state`. */
export type GroupState = Omit<GroupStateFrame, "type" | "ref">;

/** The room sent `group_state` (with the ref) to the connection itself: don't send it again. */
export type JoinResult = { ok: true; state: GroupState } | Unavailable;
export type LeaveResult = { ok: true } | RoomFailure<"not_joined"> | Unavailable;
/** On success the room sent the `ack` (when there was a ref) itself: don't send it again. */
export type SendResult =
  | { ok: true; id: string; ts: number; seq: number }
  | RoomFailure<"not_joined" | "muted" | "text_invalid">
  | Unavailable;
export type TypingResult = { ok: true } | RoomFailure<"not_joined" | "muted"> | Unavailable;
export type SetMutedResult = { ok: true } | Unavailable;
/** The connections taken out of the room (already unsubscribed from its topic). */
export type RemovedResult = { ok: true; connIds: string[] } | Unavailable;

export const OK: { ok: true } = Object.freeze({ ok: true });

export function failure<Code extends ErrorCode>(code: Code, message: string): RoomFailure<Code> {
  return { ok: false, code, message };
}
