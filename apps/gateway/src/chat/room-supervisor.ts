import {
  type ActorObserver,
  type ActorRef,
  type Clock,
  DEFAULT_CALL_TIMEOUT_MS,
  type ExitReason,
  isActorError,
  Registry,
  realClock,
  type StartChildError,
  type StartResult,
  Supervisor,
  type SupervisorEvent,
} from "@clofri/actors";
import { MemberLoader } from "./member-loader.ts";
import { type Activity, activityFor, NO_ACTIVITY } from "./room-activity.ts";
import { roomActor } from "./room-actor.ts";
import { type RoomsEvent, toRoomsEvent } from "./room-events.ts";
import { RoomMemory } from "./room-memory.ts";
import {
  answerWithoutRoom,
  type DisconnectRequest,
  failure,
  type JoinRequest,
  type JoinResult,
  type RoomCall,
  type RoomCallMsg,
  type RoomCastMsg,
  type RoomMsg,
  type RoomReplies,
  type RoomReply,
  type SendRequest,
  type SendResult,
} from "./room-messages.ts";
import { type RoomOptions, roomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";
import type { RoomSnapshot } from "./room-snapshot.ts";
import { evacuate, roomUnavailable, unavailable } from "./room-unavailable.ts";
import type { PlainCallType, Rooms } from "./rooms.ts";

export interface RoomSupervisorOptions extends Partial<RoomOptions> {
  /** Drives every room timer and the restart window; tests pass a ManualClock. */
  clock?: Clock;
  /** Wall clock for message `ts` and age. */
  now?: () => number;
  onEvent?: (event: RoomsEvent) => void;
  observer?: ActorObserver;
  maxRooms?: number;
  mailboxCapacity?: number;
  callTimeoutMs?: number;
  /** The group's member ids, read as its room starts (mentions, `group_activity`). */
  loadMembers?: (groupId: string) => Promise<readonly string[]>;
  /** Enables `crash(groupId)`; never in production. */
  enableTestHooks?: boolean;
}

type RoomRef = ActorRef<RoomMsg, RoomReply>;

const DISCONNECT_RETRY_MS = 50;

/**
 * The room of every group that has one: started by the first join, restarted on a crash,
 * forgotten when it lingers out, is closed, or keeps crashing. Owns each room's `RoomMemory`, so
 * a restart keeps its epoch, messages and members. No method rejects: failures are values.
 */
export class RoomSupervisor implements Rooms {
  readonly #port: RoomPort;
  readonly #options: RoomOptions;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #onEvent: ((event: RoomsEvent) => void) | undefined;
  readonly #mailboxCapacity: number | undefined;
  readonly #callTimeoutMs: number | undefined;
  readonly #hasTestHooks: boolean;
  readonly #members: MemberLoader;
  readonly #supervisor: Supervisor;
  readonly #registry = new Registry<RoomMsg, RoomReply>();
  readonly #memories = new Map<string, RoomMemory>();
  /** Groups whose room was given up, until a join starts a new one: that join does not retry. */
  readonly #givenUp = new Set<string>();
  /** Groups whose room is being stopped to go on elsewhere. */
  readonly #handedOver = new Set<string>();
  #isShuttingDown = false;

  constructor(port: RoomPort, options: RoomSupervisorOptions = {}) {
    this.#port = port;
    this.#options = roomOptions(options);
    this.#clock = options.clock ?? realClock;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#mailboxCapacity = options.mailboxCapacity;
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#hasTestHooks = options.enableTestHooks === true;
    this.#members = new MemberLoader(options.loadMembers);
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

  /** The groups whose room runs here. */
  groupIds(): string[] {
    return this.#registry.names();
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

  /** Read from the room's memory, outside its turn: nothing is pruned, old messages skipped. */
  activityOf(groupId: string, userId: string): Activity {
    const memory = this.#memories.get(groupId);
    if (memory === undefined) return NO_ACTIVITY;
    return activityFor(memory, userId, this.#now() - this.#options.maxAgeMs);
  }

  /** Starts the room if needed. On success the room has sent `group_state` itself. */
  async join(groupId: string, request: JoinRequest): Promise<JoinResult> {
    const membersRead = this.#memories.has(groupId) ? undefined : this.#members.ready(groupId);
    if (membersRead !== undefined) await membersRead;
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

  /** A group without a running room answers as an empty room would; none is started. */
  async call<Type extends PlainCallType>(
    groupId: string,
    msg: RoomCall<Type>,
  ): Promise<RoomReplies[Type]> {
    const ref = this.#registry.get(groupId);
    if (ref === undefined) return answerWithoutRoom(groupId, msg.type);
    try {
      // A generic call is still one of the union's; TypeScript cannot narrow it there.
      return (await ref.call(msg as RoomCallMsg, this.#callTimeoutMs)) as RoomReplies[Type];
    } catch (error) {
      return unavailable(groupId, error) as RoomReplies[Type];
    }
  }

  /** To a running room; there is nobody to tell when none runs. */
  cast(groupId: string, msg: Exclude<RoomCastMsg, { type: "disconnect" }>): void {
    this.#registry.get(groupId)?.send(msg);
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
   * The hot path, without a promise: `onResult` runs once, inside the room's turn right after it
   * published the message, or at once when no room can take it (an idle room is at once too).
   */
  send(groupId: string, request: SendRequest, onResult: (result: SendResult) => void): void {
    const ref = this.#registry.get(groupId);
    if (ref === undefined) {
      onResult(answerWithoutRoom(groupId, "send"));
      return;
    }
    const asked = ref.ask(
      { type: "send", ...request },
      (answer) => {
        onResult(isActorError(answer) ? unavailable(groupId, answer) : (answer as SendResult));
      },
      this.#callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    );
    if (!asked.ok) onResult(roomUnavailable(groupId, asked.error));
  }

  /** Test hook: makes the group's room throw in `handle`, as a bug would. */
  crash(groupId: string): boolean {
    return this.#testHook(groupId, "crash");
  }

  /** Test hook: wedges the group's room in a handler that never finishes. */
  stall(groupId: string): boolean {
    return this.#testHook(groupId, "stall");
  }

  /**
   * Stops the group's room and hands back its memory as data, for another gateway to go on
   * with (cluster hand-over); undefined when no room runs. Whoever is joined is told nothing:
   * the gateway closes its sockets next, and the successor has them all.
   */
  async handOver(groupId: string): Promise<RoomSnapshot | undefined> {
    const memory = this.#memories.get(groupId);
    if (memory === undefined) return undefined;
    this.#handedOver.add(groupId);
    await this.#supervisor.terminateChild(groupId, "handed over");
    return memory.toSnapshot(this.#clock.now());
  }

  /** Goes on with a room another gateway handed over: same epoch, seq, buffer and members. */
  adopt(snapshot: RoomSnapshot): boolean {
    const memory = RoomMemory.fromSnapshot(snapshot, this.#options, this.#clock.now());
    const started = this.#registry.startOrGet(snapshot.groupId, () =>
      this.#startRoom(snapshot.groupId, memory),
    );
    return started.ok && this.#memories.get(snapshot.groupId) === memory;
  }

  async shutdown(): Promise<void> {
    this.#isShuttingDown = true;
    await this.#supervisor.shutdown("shutting down");
  }

  #testHook(groupId: string, type: "crash" | "stall"): boolean {
    if (!this.#hasTestHooks) {
      throw new Error(
        `RoomSupervisor.${type} is a test hook: construct it with { enableTestHooks: true }`,
      );
    }
    return this.#registry.get(groupId)?.send({ type }).ok === true;
  }

  #startRoom(
    groupId: string,
    memory = new RoomMemory(groupId, this.#options),
  ): StartResult<RoomRef, StartChildError> {
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
    for (const id of this.#members.take(groupId)) memory.groupMembers.add(id);
    this.#memories.set(groupId, memory);
    this.#givenUp.delete(groupId);
    started.ref.onExit((reason) => this.#onRoomExit(groupId, memory, reason));
    return started;
  }

  #onRoomExit(groupId: string, memory: RoomMemory, reason: ExitReason): void {
    if (this.#memories.get(groupId) === memory) this.#memories.delete(groupId);
    if (this.#handedOver.delete(groupId)) return;
    // A transient room that exits crashed is one the supervisor gave up on.
    if (reason.kind !== "crashed" || this.#isShuttingDown) return;
    this.#givenUp.add(groupId);
    evacuate(this.#port, memory);
  }

  #report = (event: SupervisorEvent): void => {
    this.#onEvent?.(toRoomsEvent(event));
  };
}
