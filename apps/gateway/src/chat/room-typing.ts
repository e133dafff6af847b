import type { TimerRef } from "@clofri/actors";
import { encode } from "@clofri/protocol";
import type { RoomOptions } from "./room-options.ts";
import type { RoomPort } from "./room-port.ts";
import type { RoomTimers } from "./room-timers.ts";

interface Typing {
  /** The connection that typed last: its going away ends the indicator. */
  connId: string;
  expiry: TimerRef;
}

/**
 * Who is typing in one room. Lives in the actor's incarnation, not in `RoomMemory`: after a
 * crash the fresh `group_state` shows nobody typing, so no indicator is left hanging.
 */
export class TypingIndicators {
  readonly #groupId: string;
  readonly #port: RoomPort;
  readonly #timers: RoomTimers;
  readonly #timeoutMs: number;
  readonly #minIntervalMs: number;
  readonly #typing = new Map<string, Typing>();
  /** When each user's last `user_typing` went out; kept across stops, which obey the rate too. */
  readonly #forwardedAtMs = new Map<string, number>();

  constructor(
    groupId: string,
    port: RoomPort,
    timers: RoomTimers,
    options: Pick<RoomOptions, "typingTimeoutMs" | "typingEventsPerSecond">,
  ) {
    this.#groupId = groupId;
    this.#port = port;
    this.#timers = timers;
    this.#timeoutMs = options.typingTimeoutMs;
    this.#minIntervalMs = 1_000 / options.typingEventsPerSecond;
  }

  isTyping(userId: string): boolean {
    return this.#typing.has(userId);
  }

  /** (Re)arms the user's expiry; the room hears of it at most `typingEventsPerSecond` a second. */
  start(userId: string, connId: string, displayName: string): void {
    const timers = this.#timers;
    const typing = this.#typing.get(userId);
    if (typing !== undefined) timers.cancel(typing.expiry);
    const expiry = timers.after(this.#timeoutMs, { type: "typing_expired", userId });
    this.#typing.set(userId, { connId, expiry });

    const nowMs = timers.nowMs();
    const forwardedAtMs = this.#forwardedAtMs.get(userId);
    if (forwardedAtMs !== undefined && nowMs - forwardedAtMs < this.#minIntervalMs) return;
    this.#forwardedAtMs.set(userId, nowMs);
    const group = this.#groupId;
    // From the typist's socket: the others hear it, the socket that typed does not.
    this.#port.publishRoomExcept(
      connId,
      group,
      encode({ type: "user_typing", group, userId, displayName }),
    );
  }

  /** Ends the user's indicator, telling the room, if there was one. */
  stop(userId: string): void {
    const typing = this.#typing.get(userId);
    if (typing === undefined) return;
    this.#timers.cancel(typing.expiry);
    this.#typing.delete(userId);
    const group = this.#groupId;
    const text = encode({ type: "user_stopped_typing", group, userId });
    this.#port.publishRoomExcept(typing.connId, group, text);
  }

  /** A connection left: the indicator ends if that is the connection that was typing. */
  connectionGone(userId: string, connId: string): void {
    if (this.#typing.get(userId)?.connId === connId) this.stop(userId);
  }

  /** The user left the room. */
  forget(userId: string): void {
    this.stop(userId);
    this.#forwardedAtMs.delete(userId);
  }
}
