import {
  type ActorErrorCode,
  type ActorObserver,
  type ActorRef,
  type Clock,
  type ExitReason,
  isActorError,
  Registry,
  realClock,
  type StartChildError,
  type StartResult,
  Supervisor,
  type SupervisorEvent,
} from "@clofri/actors";
import { encode } from "@clofri/protocol";
import {
  type RoomCall,
  type RoomMsg,
  type RoomReplies,
  type RoomReply,
  roomActor,
} from "./room-actor.ts";
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
  type SendRequest,
  type SendResult,
  type SetIdleRequest,
  type SetMutedRequest,
  type SetMutedResult,
  type TypingResult,
  type TypingStartRequest,
  type TypingStopRequest,
  type Unavailable,
} from "./room-api.ts";
import { type RoomsEvent, toRoomsEvent } from "./room-events.ts";
import { RoomMemory } from "./room-memory.ts";
import { type RoomOptions, roomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";

export interface RoomsOptions extends Partial<RoomOptions> {
  /** Drives every room timer and the restart window; tests pass a ManualClock. */
  clock?: Clock;
  /** Wall clock for message `ts` and age. */
  now?: () => number;
  onEvent?: (event: RoomsEvent) => void;
  observer?: ActorObserver;
  maxRooms?: number;
  mailboxCapacity?: number;
  callTimeoutMs?: number;
  /** Enables `crash(groupId)`; never in production. */
  enableTestHooks?: boolean;
}

export type { RoomsEvent } from "./room-events.ts";

type RoomRef = ActorRef<RoomMsg, RoomReply>;

const DISCONNECT_RETRY_MS = 50;

/**
 * The room of every group that has one: started by the first join, kept alive by a
 * supervisor, forgotten when it lingers out, is closed, or keeps crashing. Owns each room's
 * `RoomMemory`, so a restarted room still has its epoch, messages and members.
 * No method rejects: what can go wrong is a value, `room_unavailable` included.
 */
export class Rooms {
  readonly #port: RoomPort;
  readonly #options: RoomOptions;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #onEvent: ((event: RoomsEvent) => void) | undefined;
  readonly #mailboxCapacity: number | undefined;
  readonly #callTimeoutMs: number | undefined;
  readonly #hasTestHooks: boolean;
  readonly #supervisor: Supervisor;
  readonly #registry = new Registry<RoomMsg, RoomReply>();
  readonly #memories = new Map<string, RoomMemory>();
  /** Groups whose room was given up, until the next join starts a new one. */
  readonly #givenUp = new Set<string>();
  #isShuttingDown = false;

  constructor(port: RoomPort, options: RoomsOptions = {}) {
    this.#port = port;
    this.#options = roomOptions(options);
    this.#clock = options.clock ?? realClock;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#mailboxCapacity = options.mailboxCapacity;
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#hasTestHooks = options.enableTestHooks === true;
    this.#supervisor = new Supervisor({
      clock: this.#clock,
      maxChildren: options.maxRooms,
      maxRestarts: this.#options.maxRestarts,
      restartWindowMs: this.#options.restartWindowMs,
      observer: options.observer,
      onEvent: this.#report,
    });
  }

  /** Rooms running now, lingering ones included. */
  get count(): number {
    return this.#registry.size;
  }

  /** Messages waiting in all room mailboxes and in the fullest one (metrics, at scrape time). */
  mailboxes(): { messages: number; deepest: number } {
    let messages = 0;
    let deepest = 0;
    for (const name of this.#registry.names()) {
      const length = this.#registry.get(name)?.mailboxLength ?? 0;
      messages += length;
      if (length > deepest) deepest = length;
    }
    return { messages, deepest };
  }

  /** User ids in the group's room now; a user dropped uncleanly counts during the grace. */
  presentIn(groupId: string): string[] {
    const memory = this.#memories.get(groupId);
    return memory === undefined ? [] : [...memory.members.keys()];
  }

  /** Starts the room if needed. On success the room has sent `group_state` itself. */
  async join(groupId: string, request: JoinRequest): Promise<JoinResult> {
    for (let attempt = 1; ; attempt++) {
      const started = this.#registry.startOrGet(groupId, () => this.#startRoom(groupId));
      if (!started.ok) {
        return failure("room_unavailable", `no room for group ${groupId}: ${started.error}`);
      }
      try {
        return (await started.ref.call(
          { type: "join", ...request },
          this.#callTimeoutMs,
        )) as JoinResult;
      } catch (error) {
        // The room found may have lingered out just as this join arrived: start a new one.
        const isStale = isActorError(error, "stopped") && !this.#givenUp.has(groupId);
        if (!(isStale && attempt === 1)) return unavailable(groupId, error);
      }
    }
  }

  leave(groupId: string, request: LeaveRequest): Promise<LeaveResult> {
    return this.#call(groupId, { type: "leave", ...request }, notJoined(groupId));
  }

  /** The socket closed; never fails. A clean close is shown at once, a drop after the grace. */
  disconnect(groupId: string, request: DisconnectRequest): void {
    const ref = this.#registry.get(groupId);
    const sent = ref?.send({ type: "disconnect", ...request });
    if (sent?.ok === false && sent.error === "mailbox_full") {
      // A lost disconnect would leave a ghost in the room: try again once the burst drains.
      this.#clock.setTimeout(() => this.disconnect(groupId, request), DISCONNECT_RETRY_MS);
    }
  }

  /**
   * The hot path, without a promise or a deadline: `onResult` runs once, inside the room's turn
   * right after it wrote the message and the ack, or at once when no room can take it. An idle
   * room handles the send before this returns.
   */
  send(groupId: string, request: SendRequest, onResult: (result: SendResult) => void): void {
    const ref = this.#registry.get(groupId);
    if (ref === undefined) {
      onResult(this.#givenUp.has(groupId) ? unavailable(groupId) : notJoined(groupId));
      return;
    }
    const asked = ref.ask({ type: "send", ...request }, (answer) => {
      onResult(isActorError(answer) ? unavailable(groupId, answer) : (answer as SendResult));
    });
    if (!asked.ok) onResult(roomUnavailable(groupId, asked.error));
  }

  typingStart(groupId: string, request: TypingStartRequest): Promise<TypingResult> {
    return this.#call(groupId, { type: "typing_start", ...request }, notJoined(groupId));
  }

  typingStop(groupId: string, request: TypingStopRequest): Promise<TypingResult> {
    return this.#call(groupId, { type: "typing_stop", ...request }, notJoined(groupId));
  }

  /** This connection became idle or active; the group hears when the person's status changes. */
  setIdle(groupId: string, request: SetIdleRequest): void {
    this.#registry.get(groupId)?.send({ type: "set_idle", ...request });
  }

  setMuted(groupId: string, request: SetMutedRequest): Promise<SetMutedResult> {
    return this.#call(groupId, { type: "set_muted", ...request }, OK);
  }

  kick(groupId: string, request: KickRequest): Promise<RemovedResult> {
    return this.#call(groupId, { type: "kick", ...request }, { ok: true, connIds: [] });
  }

  /** The group was deleted: its room stops and forgets everything. */
  close(groupId: string, request: CloseRequest): Promise<RemovedResult> {
    return this.#call(groupId, { type: "close", ...request }, { ok: true, connIds: [] });
  }

  /** Test hook: makes the group's room throw in `handle`, as a bug would. */
  crash(groupId: string): boolean {
    if (!this.#hasTestHooks) {
      throw new Error("Rooms.crash is a test hook: construct Rooms with { enableTestHooks: true }");
    }
    return this.#registry.get(groupId)?.send({ type: "crash" }).ok === true;
  }

  async shutdown(): Promise<void> {
    this.#isShuttingDown = true;
    await this.#supervisor.shutdown("shutting down");
  }

  async #call<Type extends keyof RoomReplies>(
    groupId: string,
    msg: RoomCall & { type: Type },
    ifNoRoom: RoomReplies[Type],
  ): Promise<RoomReplies[Type] | Unavailable> {
    const ref = this.#registry.get(groupId);
    if (ref === undefined) return this.#givenUp.has(groupId) ? unavailable(groupId) : ifNoRoom;
    try {
      return (await ref.call(msg, this.#callTimeoutMs)) as RoomReplies[Type];
    } catch (error) {
      return unavailable(groupId, error);
    }
  }

  #startRoom(groupId: string): StartResult<RoomRef, StartChildError> {
    const memory = new RoomMemory(groupId, this.#options);
    const deps = {
      groupId,
      memory,
      port: this.#port,
      options: this.#options,
      now: this.#now,
    };
    const started = this.#supervisor.startChild({
      id: groupId,
      restart: "transient",
      mailboxCapacity: this.#mailboxCapacity,
      start: () => roomActor(deps),
    });
    if (!started.ok) return started;
    this.#memories.set(groupId, memory);
    this.#givenUp.delete(groupId);
    started.ref.onExit((reason) => this.#onRoomExit(groupId, memory, reason));
    return started;
  }

  #onRoomExit(groupId: string, memory: RoomMemory, reason: ExitReason): void {
    if (this.#memories.get(groupId) === memory) this.#memories.delete(groupId);
    // A transient room that exits crashed is one the supervisor gave up on.
    if (reason.kind !== "crashed" || this.#isShuttingDown) return;
    this.#givenUp.add(groupId);
    this.#evacuate(memory);
  }

  /** Nobody is in a room that no longer runs: the group is told, and the joined must join again. */
  #evacuate(memory: RoomMemory): void {
    const port = this.#port;
    const group = memory.groupId;
    const error = encode({
      type: "error",
      code: "room_unavailable",
      message: `the room of group ${group} stopped after repeated failures; join again`,
      group,
    });
    for (const userId of memory.members.keys()) {
      port.publishPresence(group, encode({ type: "user_left", group, userId }));
    }
    for (const connId of memory.connectionIds()) {
      port.unsubscribeRoom(connId, group);
      port.sendTo(connId, error);
    }
  }

  #report = (event: SupervisorEvent): void => {
    this.#onEvent?.(toRoomsEvent(event));
  };
}

function notJoined(groupId: string): { ok: false; code: "not_joined"; message: string } {
  return failure("not_joined", `this connection has not joined group ${groupId}`);
}

/** A failed call; anything but an ActorError is a bug and is thrown on. */
function unavailable(groupId: string, error?: unknown): Unavailable {
  if (error !== undefined && !isActorError(error)) throw error;
  return roomUnavailable(groupId, error?.code);
}

function roomUnavailable(groupId: string, code: ActorErrorCode | undefined): Unavailable {
  return failure("room_unavailable", `the room of group ${groupId} ${why(code)}; join again`);
}

function why(code: ActorErrorCode | undefined): string {
  switch (code) {
    case "crashed":
      return "failed on this request and is restarting";
    case "timeout":
      return "did not answer in time";
    case "mailbox_full":
      return "is overloaded";
    case undefined:
    case "stopped":
    case "no_reply":
      return "is not running";
  }
}
