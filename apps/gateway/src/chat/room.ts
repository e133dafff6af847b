import type { TimerRef } from "@clofri/actors";
import {
  encode,
  encodeMessage,
  encodeSendAck,
  type Message,
  normalizeText,
} from "@clofri/protocol";
import type { RoomContext } from "./room-actor.ts";
import {
  type CloseRequest,
  type DisconnectRequest,
  failure,
  type JoinRequest,
  type JoinResult,
  type KickRequest,
  type LeaveRequest,
  type LeaveResult,
  OK,
  type RemovedResult,
  type RoomFailure,
  type SendRequest,
  type SendResult,
  type SetIdleRequest,
  type SetMutedRequest,
  type SetMutedResult,
  type TypingResult,
  type TypingStartRequest,
  type TypingStopRequest,
} from "./room-api.ts";
import type { RoomMember, RoomMemory } from "./room-memory.ts";
import type { RoomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";
import { TypingIndicators } from "./room-typing.ts";

/** What every incarnation of a room is started with. */
export interface RoomDeps {
  readonly groupId: string;
  /** Owned by `Rooms`: survives restarts. */
  readonly memory: RoomMemory;
  readonly port: RoomPort;
  readonly options: RoomOptions;
  /** Wall clock for message `ts` and age; timers run on the actor's clock. */
  readonly now: () => number;
}

type Departure = "clean" | "unclean";

/**
 * One incarnation of a room: its timers and typing indicators, and what it does for each
 * message. Every step checks what it can refuse first, then changes `memory`, then publishes.
 */
export class Room {
  readonly #deps: RoomDeps;
  readonly #ctx: RoomContext;
  readonly #typing: TypingIndicators;
  readonly #graceTimers = new Map<string, TimerRef>();
  #lingerTimer: TimerRef | undefined;

  constructor(deps: RoomDeps, ctx: RoomContext) {
    this.#deps = deps;
    this.#ctx = ctx;
    this.#typing = new TypingIndicators(deps.groupId, deps.port, ctx, deps.options);
  }

  /** First start or restart: re-arms the timers `memory` implies and re-sends the room. */
  start(): void {
    const { memory, port } = this.#deps;
    const nowMs = this.#ctx.clock.now();
    for (const member of memory.members.values()) {
      if (member.graceEndsAtMs !== undefined) {
        this.#armGrace(member.userId, Math.max(0, member.graceEndsAtMs - nowMs));
      }
    }
    if (memory.members.size === 0) {
      this.#armLinger();
      return;
    }
    // A restart: whoever is still joined gets the room afresh, typing cleared, same epoch.
    memory.prune(this.#deps.now());
    const text = encode({ type: "group_state", ...memory.groupState({}, this.#isTyping) });
    for (const connId of memory.connectionIds()) port.sendTo(connId, text);
  }

  join(request: JoinRequest): JoinResult {
    const { groupId, memory, port } = this.#deps;
    const { connId, user } = request;
    memory.prune(this.#deps.now());

    this.#cancelLinger();
    const existing = memory.members.get(user.id);
    const member: RoomMember = existing ?? {
      userId: user.id,
      displayName: user.displayName,
      avatarUrl: user.avatarUrl,
      isMuted: request.isMuted,
      isIdle: false,
      connections: new Map(),
      graceEndsAtMs: undefined,
    };
    member.displayName = user.displayName;
    member.avatarUrl = user.avatarUrl;
    member.isMuted = request.isMuted;
    member.connections.set(connId, request.isIdle === true);
    if (member.graceEndsAtMs !== undefined) {
      // Back within the grace: nobody was told of a leave, so nobody is told of a join.
      member.graceEndsAtMs = undefined;
      this.#cancelGrace(user.id);
    }
    if (existing === undefined) memory.members.set(user.id, member);
    const wasIdle = member.isIdle;
    member.isIdle = isEveryConnectionIdle(member);

    const state = memory.groupState(request, this.#isTyping);
    // Sent here rather than by the caller: a message published after this join must not
    // reach the connection before the group_state it follows.
    const ref = request.ref === undefined ? {} : { ref: request.ref };
    port.sendTo(connId, encode({ type: "group_state", ...ref, ...state }));
    port.subscribeRoom(connId, groupId);
    if (existing === undefined) {
      const joined = { group: groupId, userId: user.id, displayName: user.displayName };
      port.publishPresence(groupId, encode({ type: "user_joined", ...joined }));
      if (member.isIdle) this.#publishStatus(member);
    } else if (member.isIdle !== wasIdle) {
      this.#publishStatus(member);
    }
    return { ok: true, state };
  }

  leave(request: LeaveRequest): LeaveResult {
    const { groupId, memory, port } = this.#deps;
    const member = memory.memberOf(request.connId, request.userId);
    if (member === undefined) return this.#notJoined();
    this.#dropConnection(member, request.connId, "clean");
    port.unsubscribeRoom(request.connId, groupId);
    return OK;
  }

  /** The socket is gone already, so there is nothing to unsubscribe. */
  disconnect(request: DisconnectRequest): void {
    const member = this.#deps.memory.memberOf(request.connId, request.userId);
    if (member === undefined) return;
    this.#dropConnection(member, request.connId, request.isClean ? "clean" : "unclean");
  }

  /** Writes the `ack` itself, so that it follows the sender's copy of the message. */
  send(request: SendRequest): SendResult {
    const { groupId, memory, port } = this.#deps;
    const { connId, userId, key, ref } = request;
    const member = memory.memberOf(connId, userId);
    if (member === undefined) return this.#notJoined();
    const nowMs = this.#deps.now();
    memory.prune(nowMs);
    const ack = memory.ackFor(userId, key);
    if (ack !== undefined) {
      // A retry: the first ack again, and no second message.
      if (ref !== undefined) port.sendTo(connId, encodeSendAck(ref, ack.id, ack.ts));
      return { ok: true, ...ack };
    }
    if (member.isMuted) return this.#muted();
    const normalized = normalizeText(request.text, this.#deps.options.maxTextLength);
    if (!normalized.ok) return failure(normalized.code, normalized.message);

    const seq = memory.lastSeq + 1;
    const message: Message = {
      id: memory.messageId(seq),
      group: groupId,
      seq,
      userId,
      displayName: request.displayName,
      text: normalized.text,
      ts: nowMs,
      key,
    };
    const text = encodeMessage(message);
    memory.commitMessage(message);
    const reply = ref === undefined ? undefined : encodeSendAck(ref, message.id, nowMs);
    port.publishFrom(connId, groupId, text, reply);
    this.#typing.stop(userId);
    return { ok: true, id: message.id, ts: nowMs, seq };
  }

  typingStart(request: TypingStartRequest): TypingResult {
    const member = this.#deps.memory.memberOf(request.connId, request.userId);
    if (member === undefined) return this.#notJoined();
    if (member.isMuted) return this.#muted();
    this.#typing.start(request.userId, request.connId, request.displayName);
    return OK;
  }

  typingStop(request: TypingStopRequest): TypingResult {
    const member = this.#deps.memory.memberOf(request.connId, request.userId);
    if (member === undefined) return this.#notJoined();
    this.#typing.stop(request.userId);
    return OK;
  }

  setIdle(request: SetIdleRequest): void {
    const member = this.#deps.memory.memberOf(request.connId, request.userId);
    if (member === undefined) return;
    member.connections.set(request.connId, request.isIdle);
    this.#updateStatus(member);
  }

  /** Moderation; the `member_muted` frame is the caller's (it applies with the room empty too). */
  setMuted(request: SetMutedRequest): SetMutedResult {
    const member = this.#deps.memory.members.get(request.userId);
    if (member === undefined) return OK;
    member.isMuted = request.isMuted;
    if (request.isMuted) this.#typing.stop(request.userId);
    return OK;
  }

  /** Takes every connection of the user out at once; `member_kicked` is the caller's. */
  kick(request: KickRequest): RemovedResult {
    const { groupId, port } = this.#deps;
    const member = this.#deps.memory.members.get(request.userId);
    if (member === undefined) return { ok: true, connIds: [] };
    const connIds = [...member.connections.keys()];
    member.connections.clear();
    this.#removeMember(member);
    for (const connId of connIds) port.unsubscribeRoom(connId, groupId);
    return { ok: true, connIds };
  }

  /** The group was deleted: everyone is taken out without a word (`group_deleted` says it all). */
  close(request: CloseRequest): RemovedResult {
    const { groupId, memory, port } = this.#deps;
    const connIds = memory.connectionIds();
    memory.members.clear();
    for (const connId of connIds) port.unsubscribeRoom(connId, groupId);
    this.#ctx.stop(request.reason);
    return { ok: true, connIds };
  }

  typingExpired(userId: string): void {
    this.#typing.stop(userId);
  }

  graceExpired(userId: string): void {
    this.#graceTimers.delete(userId);
    const member = this.#deps.memory.members.get(userId);
    if (member?.graceEndsAtMs === undefined || member.connections.size > 0) return;
    this.#removeMember(member);
  }

  lingerExpired(): void {
    this.#lingerTimer = undefined;
    if (this.#deps.memory.members.size === 0) this.#ctx.stop("lingered out");
  }

  #dropConnection(member: RoomMember, connId: string, departure: Departure): void {
    member.connections.delete(connId);
    this.#typing.connectionGone(member.userId, connId);
    if (member.connections.size > 0) {
      this.#updateStatus(member);
      return;
    }
    const graceMs = this.#deps.options.presenceGraceMs;
    if (departure === "unclean" && graceMs > 0) {
      member.graceEndsAtMs = this.#ctx.clock.now() + graceMs;
      this.#armGrace(member.userId, graceMs);
      return;
    }
    this.#removeMember(member);
  }

  #removeMember(member: RoomMember): void {
    const { groupId, memory, port } = this.#deps;
    const { userId } = member;
    memory.members.delete(userId);
    this.#cancelGrace(userId);
    this.#typing.forget(userId);
    port.publishPresence(groupId, encode({ type: "user_left", group: groupId, userId }));
    if (memory.members.size === 0) this.#armLinger();
  }

  #updateStatus(member: RoomMember): void {
    if (member.connections.size === 0) return;
    const isIdle = isEveryConnectionIdle(member);
    if (isIdle === member.isIdle) return;
    member.isIdle = isIdle;
    this.#publishStatus(member);
  }

  #publishStatus(member: RoomMember): void {
    const group = this.#deps.groupId;
    const type = member.isIdle ? "user_idle" : "user_active";
    this.#deps.port.publishPresence(group, encode({ type, group, userId: member.userId }));
  }

  #isTyping = (userId: string): boolean => this.#typing.isTyping(userId);

  #armGrace(userId: string, delayMs: number): void {
    this.#cancelGrace(userId);
    this.#graceTimers.set(userId, this.#ctx.sendAfter(delayMs, { type: "grace_expired", userId }));
  }

  #cancelGrace(userId: string): void {
    const timer = this.#graceTimers.get(userId);
    if (timer === undefined) return;
    this.#ctx.cancelTimer(timer);
    this.#graceTimers.delete(userId);
  }

  #armLinger(): void {
    if (this.#lingerTimer !== undefined) return;
    const delayMs = this.#deps.options.roomLingerMs;
    this.#lingerTimer = this.#ctx.sendAfter(delayMs, { type: "linger_expired" });
  }

  #cancelLinger(): void {
    if (this.#lingerTimer === undefined) return;
    this.#ctx.cancelTimer(this.#lingerTimer);
    this.#lingerTimer = undefined;
  }

  #notJoined(): RoomFailure<"not_joined"> {
    return failure("not_joined", `this connection has not joined group ${this.#deps.groupId}`);
  }

  #muted(): RoomFailure<"muted"> {
    return failure("muted", `you are muted in group ${this.#deps.groupId}`);
  }
}

function isEveryConnectionIdle(member: RoomMember): boolean {
  for (const isIdle of member.connections.values()) if (!isIdle) return false;
  return member.connections.size > 0;
}
