import { encode, encodeMessage, type Message, normalizeText } from "@clofri/protocol";
import { MessageActions } from "./room-actions.ts";
import { type Departure, RoomAttendance } from "./room-attendance.ts";
import { RoomAwareness } from "./room-awareness.ts";
import type { RoomMember, RoomMemory } from "./room-memory.ts";
import {
  type CloseRequest,
  type DisconnectRequest,
  failure,
  type JoinRequest,
  type JoinResult,
  type KickRequest,
  type LeaveRequest,
  type LeaveResult,
  muted,
  nobodyRemoved,
  notJoined,
  OK,
  type ReadRequest,
  type ReadResult,
  type RemovedResult,
  type RenameRequest,
  type RoomCallType,
  type RoomContext,
  type RoomMsg,
  type RoomReplies,
  type RoomReply,
  type RoomTestHook,
  type SendRequest,
  type SendResult,
  type SetIdleRequest,
  type SetMutedRequest,
  type SetMutedResult,
  type TypingResult,
  type TypingStartRequest,
  type TypingStopRequest,
} from "./room-messages.ts";
import type { RoomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";
import { roomTimers } from "./room-timers.ts";
import { TypingIndicators } from "./room-typing.ts";

/** What every incarnation of a room is started with. */
export interface RoomDeps {
  readonly groupId: string;
  /** Owned by the supervisor: survives restarts. */
  readonly memory: RoomMemory;
  readonly port: RoomPort;
  readonly options: RoomOptions;
  /** Wall clock for message `ts` and age; timers run on the actor's clock. */
  readonly now: () => number;
}

/** Every message the room handles itself (the test hooks are the actor's). */
export type RoomWork = Exclude<RoomMsg, RoomTestHook>;

/** One handler per message: a call's returns its reply, a cast's nothing. */
type Handlers = {
  [Type in RoomWork["type"]]: (
    msg: Extract<RoomWork, { type: Type }>,
  ) => Type extends RoomCallType ? RoomReplies[Type] : void;
};

/**
 * One incarnation of a room: its typing indicators and timers, and what it does with each
 * message. Every step checks what it can refuse first, then changes `memory`, then publishes.
 */
export class Room {
  readonly #deps: RoomDeps;
  readonly #typing: TypingIndicators;
  readonly #attendance: RoomAttendance;
  readonly #awareness: RoomAwareness;
  readonly #actions: MessageActions;
  readonly #stop: (reason: string) => void;

  constructor(deps: RoomDeps, ctx: RoomContext) {
    this.#deps = deps;
    this.#stop = (reason) => ctx.stop(reason);
    const timers = roomTimers(ctx);
    this.#typing = new TypingIndicators(deps.groupId, deps.port, timers, deps.options);
    this.#awareness = new RoomAwareness(deps.groupId, deps.memory, deps.port, timers);
    const { maxTextLength } = deps.options;
    this.#actions = new MessageActions({ ...deps, awareness: this.#awareness, maxTextLength });
    this.#attendance = new RoomAttendance({
      ...deps,
      timers,
      typing: this.#typing,
      stop: this.#stop,
    });
  }

  /** First start or restart: on a restart whoever is still joined gets the room afresh. */
  start(): void {
    if (!this.#attendance.start()) return;
    const { memory, port } = this.#deps;
    memory.prune(this.#deps.now());
    const text = encode({ type: "group_state", ...memory.groupState({}, this.#isTyping) });
    for (const connId of memory.connectionIds()) port.sendTo(connId, text);
  }

  /** Returns a call's reply; undefined for a cast. */
  handle(msg: RoomWork): RoomReply | undefined {
    const handler = this.#handlers[msg.type] as (msg: RoomWork) => RoomReply | undefined;
    return handler(msg);
  }

  readonly #handlers: Handlers = {
    join: (msg) => this.#join(msg),
    leave: (msg) => this.#leave(msg),
    disconnect: (msg) => this.#disconnect(msg),
    send: (msg) => this.#send(msg),
    typing_start: (msg) => this.#typingStart(msg),
    typing_stop: (msg) => this.#typingStop(msg),
    set_idle: (msg) => this.#setIdle(msg),
    set_muted: (msg) => this.#setMuted(msg),
    rename: (msg) => this.#rename(msg),
    read: (msg) => this.#read(msg),
    unsend: (msg) => this.#actions.unsend(msg),
    edit: (msg) => this.#actions.edit(msg),
    react: (msg) => this.#actions.react(msg),
    member_added: (msg) => void this.#deps.memory.groupMembers.add(msg.userId),
    activity_due: () => this.#awareness.activityDue(),
    read_due: (msg) => this.#awareness.readDue(msg.userId),
    set_hidden: (msg) => this.#attendance.setHidden(msg.userId, msg.isHidden),
    kick: (msg) => this.#kick(msg),
    close: (msg) => this.#close(msg),
    typing_expired: (msg) => this.#typing.stop(msg.userId),
    grace_expired: (msg) => this.#attendance.graceExpired(msg.userId),
    linger_expired: () => this.#attendance.lingerExpired(),
  };

  #join(request: JoinRequest): JoinResult {
    const { groupId, memory, port } = this.#deps;
    memory.prune(this.#deps.now());
    const arrival = this.#attendance.arrive(request);
    memory.groupMembers.add(request.user.id);
    const state = memory.groupState(request, this.#isTyping);
    // Sent here rather than by the caller: a message published after this join must not
    // reach the connection before the group_state it follows.
    const ref = request.ref === undefined ? {} : { ref: request.ref };
    port.sendTo(request.connId, encode({ type: "group_state", ...ref, ...state }));
    port.subscribeRoom(request.connId, groupId);
    this.#attendance.announce(arrival);
    return { ok: true, state };
  }

  #leave(request: LeaveRequest): LeaveResult {
    const member = this.#joined(request);
    if (member === undefined) return notJoined(this.#deps.groupId);
    this.#attendance.depart(member, request.connId, "clean");
    this.#deps.port.unsubscribeRoom(request.connId, this.#deps.groupId);
    return OK;
  }

  /** The socket is gone already, so there is nothing to unsubscribe. */
  #disconnect(request: DisconnectRequest): void {
    const member = this.#joined(request);
    const departure: Departure = request.isClean ? "clean" : "unclean";
    if (member !== undefined) this.#attendance.depart(member, request.connId, departure);
  }

  /** Publishes the message; the reply (ack or error) is the caller's to write. */
  #send(request: SendRequest): SendResult {
    const { groupId, memory, port } = this.#deps;
    const { userId, key } = request;
    const member = this.#joined(request);
    if (member === undefined) return notJoined(groupId);
    const nowMs = this.#deps.now();
    memory.prune(nowMs);
    // A retry: the first answer again, and no second message.
    const ack = memory.ackFor(userId, key);
    if (ack !== undefined) return { ok: true, ...ack };
    if (member.isMuted) return muted(groupId);
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
      mentions: memory.mentionsAmong(request.mentions),
      reactions: {},
    };
    const { replyTo } = request;
    if (replyTo !== undefined)
      message.replyTo = memory.changes.quote(replyTo, memory.messageById(replyTo));
    const text = encodeMessage(message);
    memory.commitMessage(message);
    // What I send I have seen; the message itself says so, so no `read_up_to` goes out.
    memory.markRead(userId, seq);
    port.publishRoom(groupId, text);
    this.#typing.stop(userId);
    this.#awareness.messageSent(message);
    return { ok: true, id: message.id, ts: nowMs, seq };
  }

  #read(request: ReadRequest): ReadResult {
    if (this.#joined(request) === undefined) return notJoined(this.#deps.groupId);
    if (this.#deps.memory.markRead(request.userId, request.seq)) {
      this.#awareness.markMoved(request.userId);
    }
    return OK;
  }

  #typingStart(request: TypingStartRequest): TypingResult {
    const member = this.#joined(request);
    if (member === undefined) return notJoined(this.#deps.groupId);
    if (member.isMuted) return muted(this.#deps.groupId);
    this.#typing.start(request.userId, request.connId, request.displayName);
    return OK;
  }

  #typingStop(request: TypingStopRequest): TypingResult {
    if (this.#joined(request) === undefined) return notJoined(this.#deps.groupId);
    this.#typing.stop(request.userId);
    return OK;
  }

  #setIdle(request: SetIdleRequest): void {
    const member = this.#joined(request);
    if (member !== undefined) this.#attendance.setIdle(member, request.connId, request.isIdle);
  }

  /** Moderation; the `member_muted` frame is the caller's (it applies with the room empty too). */
  #setMuted(request: SetMutedRequest): SetMutedResult {
    const member = this.#deps.memory.members.get(request.userId);
    if (member === undefined) return OK;
    member.isMuted = request.isMuted;
    if (request.isMuted) this.#typing.stop(request.userId);
    return OK;
  }

  #rename(request: RenameRequest): void {
    const member = this.#deps.memory.members.get(request.userId);
    if (member === undefined) return;
    member.displayName = request.displayName;
    member.avatarUrl = request.avatarUrl;
  }

  /** Takes every connection of the user out at once; `member_kicked` is the caller's. */
  #kick(request: KickRequest): RemovedResult {
    const { groupId, port } = this.#deps;
    this.#deps.memory.forgetMember(request.userId);
    const member = this.#deps.memory.members.get(request.userId);
    if (member === undefined) return nobodyRemoved();
    const connIds = [...member.connections.keys()];
    member.connections.clear();
    this.#attendance.remove(member);
    for (const connId of connIds) port.unsubscribeRoom(connId, groupId);
    return { ok: true, connIds };
  }

  /** The group was deleted: everyone is taken out without a word (`group_deleted` says it all). */
  #close(request: CloseRequest): RemovedResult {
    const { groupId, memory, port } = this.#deps;
    const connIds = memory.connectionIds();
    memory.members.clear();
    for (const connId of connIds) port.unsubscribeRoom(connId, groupId);
    this.#stop(request.reason);
    return { ok: true, connIds };
  }

  /** The member this connection joined as: whether it has joined is the room's to say. */
  #joined(request: { connId: string; userId: string }): RoomMember | undefined {
    return this.#deps.memory.memberOf(request.connId, request.userId);
  }

  #isTyping = (userId: string): boolean => this.#typing.isTyping(userId);
}
