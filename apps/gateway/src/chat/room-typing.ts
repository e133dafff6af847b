import type { TimerRef } from "@clofri/actors";
import { encode } from "@clofri/protocol";
import type { RoomContext } from "./room-actor.ts";
import type { RoomOptions } from "./room-options.ts";

/** Delivers a frame to everyone joined in the room but the socket `connId` (the typist's). */
export type TellOthers = (connId: string, text: string) => void;

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
  readonly #tellOthers: TellOthers;
  readonly #ctx: RoomContext;
  readonly #timeoutMs: number;
  readonly #minIntervalMs: number;
  readonly #typing = new Map<string, Typing>();
  /** When each user's last `user_typing` went out; kept across stops, which obey the rate too. */
  readonly #forwardedAtMs = new Map<string, number>();

  constructor(
    groupId: string,
    tellOthers: TellOthers,
    ctx: RoomContext,
    options: Pick<RoomOptions, "typingTimeoutMs" | "typingEventsPerSecond">,
  ) {
    this.#groupId = groupId;
    this.#tellOthers = tellOthers;
    this.#ctx = ctx;
    this.#timeoutMs = options.typingTimeoutMs;
    this.#minIntervalMs = 1_000 / options.typingEventsPerSecond;
  }

  isTyping(userId: string): boolean {
    return this.#typing.has(userId);
  }

  /** (Re)arms the user's expiry; the room hears of it at most `typingEventsPerSecond` a second. */
  start(userId: string, connId: string, displayName: string): void {
    const ctx = this.#ctx;
    const typing = this.#typing.get(userId);
    if (typing !== undefined) ctx.cancelTimer(typing.expiry);
    const expiry = ctx.sendAfter(this.#timeoutMs, { type: "typing_expired", userId });
    this.#typing.set(userId, { connId, expiry });

    const nowMs = ctx.clock.now();
    const forwardedAtMs = this.#forwardedAtMs.get(userId);
    if (forwardedAtMs !== undefined && nowMs - forwardedAtMs < this.#minIntervalMs) return;
    this.#forwardedAtMs.set(userId, nowMs);
    const group = this.#groupId;
    this.#tellOthers(connId, encode({ type: "user_typing", group, userId, displayName }));
  }

  /** Ends the user's indicator, telling the room, if there was one. */
  stop(userId: string): void {
    const typing = this.#typing.get(userId);
    if (typing === undefined) return;
    this.#ctx.cancelTimer(typing.expiry);
    this.#typing.delete(userId);
    const group = this.#groupId;
    this.#tellOthers(typing.connId, encode({ type: "user_stopped_typing", group, userId }));
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
