import type { TimerRef } from "@clofri/actors";
import { encode } from "@clofri/protocol";
import type { RoomMember, RoomMemory } from "./room-memory.ts";
import type { JoinRequest } from "./room-messages.ts";
import type { RoomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";
import type { RoomTimers } from "./room-timers.ts";
import type { TypingIndicators } from "./room-typing.ts";

export interface AttendanceDeps {
  readonly groupId: string;
  readonly memory: RoomMemory;
  readonly port: RoomPort;
  readonly options: Pick<RoomOptions, "presenceGraceMs" | "roomLingerMs">;
  readonly timers: RoomTimers;
  readonly typing: TypingIndicators;
  /** Stops the room (it lingered out empty). */
  stop(reason: string): void;
}

/** A connection that joined, and what the group is to be told of it. */
export interface Arrival {
  member: RoomMember;
  isNew: boolean;
  wasIdle: boolean;
}

/** A clean departure is shown at once; an unclean one after the grace. */
export type Departure = "clean" | "unclean";

/**
 * Who is in one room: each member's connections and status, the grace that keeps a dropped
 * member present, the linger of an empty room. Publishes what the group sees of it.
 */
export class RoomAttendance {
  readonly #deps: AttendanceDeps;
  readonly #graceTimers = new Map<string, TimerRef>();
  #lingerTimer: TimerRef | undefined;

  constructor(deps: AttendanceDeps) {
    this.#deps = deps;
  }

  /** First start or restart: re-arms the timers `memory` implies; false when the room is empty. */
  start(): boolean {
    const { memory, timers } = this.#deps;
    const nowMs = timers.nowMs();
    for (const member of memory.members.values()) {
      if (member.graceEndsAtMs !== undefined) {
        this.#armGrace(member.userId, Math.max(0, member.graceEndsAtMs - nowMs));
      }
    }
    if (memory.members.size > 0) return true;
    this.#armLinger();
    return false;
  }

  /** Adds the connection, creating its member or bringing it up to date; announce it after. */
  arrive(request: JoinRequest): Arrival {
    const { memory } = this.#deps;
    const { connId, user } = request;
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
      isHidden: request.isHidden === true,
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
    return { member, isNew: existing === undefined, wasIdle };
  }

  /** Tells the group of a new member, or of the status a further connection changed. */
  announce({ member, isNew, wasIdle }: Arrival): void {
    const { groupId: group } = this.#deps;
    if (isNew) {
      const { userId, displayName } = member;
      this.#publish(member, encode({ type: "user_joined", group, userId, displayName }));
      if (member.isIdle) this.#publishStatus(member);
    } else if (member.isIdle !== wasIdle) {
      this.#publishStatus(member);
    }
  }

  depart(member: RoomMember, connId: string, departure: Departure): void {
    member.connections.delete(connId);
    this.#deps.typing.connectionGone(member.userId, connId);
    if (member.connections.size > 0) {
      this.#updateStatus(member);
      return;
    }
    const graceMs = this.#deps.options.presenceGraceMs;
    if (departure === "unclean" && graceMs > 0) {
      member.graceEndsAtMs = this.#deps.timers.nowMs() + graceMs;
      this.#armGrace(member.userId, graceMs);
      return;
    }
    this.remove(member);
  }

  remove(member: RoomMember): void {
    const { groupId, memory } = this.#deps;
    const { userId } = member;
    memory.members.delete(userId);
    this.#cancelGrace(userId);
    this.#deps.typing.forget(userId);
    this.#publish(member, encode({ type: "user_left", group: groupId, userId }));
    if (memory.members.size === 0) this.#armLinger();
  }

  setIdle(member: RoomMember, connId: string, isIdle: boolean): void {
    member.connections.set(connId, isIdle);
    this.#updateStatus(member);
  }

  graceExpired(userId: string): void {
    this.#graceTimers.delete(userId);
    const member = this.#deps.memory.members.get(userId);
    if (member?.graceEndsAtMs === undefined || member.connections.size > 0) return;
    this.remove(member);
  }

  lingerExpired(): void {
    this.#lingerTimer = undefined;
    if (this.#deps.memory.members.size === 0) this.#deps.stop("lingered out");
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
    this.#publish(member, encode({ type, group, userId: member.userId }));
  }

  /**
   * The person started or stopped appearing offline while in the room. Hiding: the group's home
   * hears them leave, the room (which hears that too) that they are still there.
   */
  setHidden(userId: string, isHidden: boolean): void {
    const member = this.#deps.memory.members.get(userId);
    if (member === undefined || member.isHidden === isHidden) return;
    const { groupId: group, port } = this.#deps;
    const { displayName } = member;
    if (isHidden) port.publishPresence(group, encode({ type: "user_left", group, userId }));
    member.isHidden = isHidden;
    this.#publish(member, encode({ type: "user_joined", group, userId, displayName }));
    if (member.isIdle) this.#publishStatus(member);
  }

  /** What the group sees of a member: all of it, or only the room when they appear offline. */
  #publish(member: RoomMember, text: string): void {
    const { groupId, port } = this.#deps;
    if (member.isHidden === true) port.publishRoom(groupId, text);
    else port.publishPresence(groupId, text);
  }

  #armGrace(userId: string, delayMs: number): void {
    this.#cancelGrace(userId);
    this.#graceTimers.set(
      userId,
      this.#deps.timers.after(delayMs, { type: "grace_expired", userId }),
    );
  }

  #cancelGrace(userId: string): void {
    const timer = this.#graceTimers.get(userId);
    if (timer === undefined) return;
    this.#deps.timers.cancel(timer);
    this.#graceTimers.delete(userId);
  }

  #armLinger(): void {
    if (this.#lingerTimer !== undefined) return;
    const delayMs = this.#deps.options.roomLingerMs;
    this.#lingerTimer = this.#deps.timers.after(delayMs, { type: "linger_expired" });
  }

  #cancelLinger(): void {
    if (this.#lingerTimer === undefined) return;
    this.#deps.timers.cancel(this.#lingerTimer);
    this.#lingerTimer = undefined;
  }
}

function isEveryConnectionIdle(member: RoomMember): boolean {
  for (const isIdle of member.connections.values()) if (!isIdle) return false;
  return member.connections.size > 0;
}
