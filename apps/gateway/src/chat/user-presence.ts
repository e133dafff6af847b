import { type Clock, realClock } from "@clofri/actors";

export type PresenceChange =
  | { type: "online"; userId: string }
  | { type: "offline"; userId: string; lastSeenMs: number };

export interface UserPresenceOptions {
  /** A user whose last connection dropped uncleanly stays online this long. */
  graceMs: number;
  /** Runs the grace timers; tests pass a ManualClock. */
  clock?: Clock;
  /** Wall clock for last-seen times. */
  now?: () => number;
  onChange?: (change: PresenceChange) => void;
}

export interface LastSeenEntry {
  userId: string;
  lastSeenMs: number;
}

interface OnlineUser {
  readonly connIds: Set<string>;
  /** Set while the user has no connection left but is kept online by the grace. */
  grace: { timer: unknown; droppedAtMs: number } | undefined;
}

/**
 * Who is online, as friends see it: while any connection is open, and for the grace after an
 * unclean drop of the last one, so a quick reconnect shows nobody an offline and an online. Also
 * keeps the last-seen times the database has not been told yet.
 */
export class UserPresence {
  readonly #graceMs: number;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #onChange: ((change: PresenceChange) => void) | undefined;
  readonly #online = new Map<string, OnlineUser>();
  /** Users gone offline whose last-seen time is not written yet. */
  readonly #unwritten = new Map<string, number>();

  constructor(options: UserPresenceOptions) {
    this.#graceMs = options.graceMs;
    this.#clock = options.clock ?? realClock;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  /** Users online now, the ones in their grace included. */
  get onlineCount(): number {
    return this.#online.size;
  }

  isOnline(userId: string): boolean {
    return this.#online.has(userId);
  }

  /** Now for an online user; the time they left when that is not written yet; else undefined. */
  lastSeen(userId: string): number | undefined {
    if (this.#online.has(userId)) return this.#now();
    return this.#unwritten.get(userId);
  }

  connect(userId: string, connId: string): void {
    const existing = this.#online.get(userId);
    if (existing) {
      existing.connIds.add(connId);
      if (existing.grace !== undefined) {
        // Back within the grace: nobody was told of an offline, so nobody hears of an online.
        this.#clock.clearTimeout(existing.grace.timer);
        existing.grace = undefined;
      }
      return;
    }
    this.#online.set(userId, { connIds: new Set([connId]), grace: undefined });
    this.#unwritten.delete(userId);
    this.#onChange?.({ type: "online", userId });
  }

  /** A clean close is shown at once; an unclean drop of the last connection after the grace. */
  disconnect(userId: string, connId: string, isClean: boolean): void {
    const user = this.#online.get(userId);
    if (!user?.connIds.delete(connId) || user.connIds.size > 0) return;
    const droppedAtMs = this.#now();
    if (isClean || this.#graceMs <= 0) {
      this.#goOffline(userId, droppedAtMs);
      return;
    }
    const timer = this.#clock.setTimeout(() => {
      if (this.#online.get(userId) === user && user.connIds.size === 0) {
        this.#goOffline(userId, droppedAtMs);
      }
    }, this.#graceMs);
    this.#clock.setKeepAlive?.(timer, false);
    user.grace = { timer, droppedAtMs };
  }

  /**
   * The last-seen times to write now: every online user's (now) and every one gone offline since
   * the last successful write. Call `written` with the same entries once they are stored.
   */
  lastSeenToWrite(): LastSeenEntry[] {
    const nowMs = this.#now();
    const entries: LastSeenEntry[] = [];
    for (const [userId, user] of this.#online) {
      entries.push({ userId, lastSeenMs: user.grace?.droppedAtMs ?? nowMs });
    }
    for (const [userId, lastSeenMs] of this.#unwritten) entries.push({ userId, lastSeenMs });
    return entries;
  }

  /** The database has these times: forget the ones not superseded meanwhile. */
  written(entries: readonly LastSeenEntry[]): void {
    for (const { userId, lastSeenMs } of entries) {
      if (this.#unwritten.get(userId) === lastSeenMs) this.#unwritten.delete(userId);
    }
  }

  /** Cancels the grace timers; the users stay as they are (the process is stopping). */
  shutdown(): void {
    for (const user of this.#online.values()) {
      if (user.grace !== undefined) this.#clock.clearTimeout(user.grace.timer);
      user.grace = undefined;
    }
  }

  #goOffline(userId: string, lastSeenMs: number): void {
    this.#online.delete(userId);
    this.#unwritten.set(userId, lastSeenMs);
    this.#onChange?.({ type: "offline", userId, lastSeenMs });
  }
}
