import type { GroupSummary, UserSummary } from "@clofri/protocol";
import type { RealtimeUserRows } from "../db/realtime.ts";
import type { Logger } from "../obs/logger.ts";
import type { Connection } from "./connection.ts";

export interface FriendEntry {
  summary: UserSummary;
  /** `users.last_seen_at` as loaded; the live value comes from presence. */
  storedLastSeenMs: number | null;
}

export type GroupEntry = Omit<GroupSummary, "present">;

/**
 * What the WebSocket layer knows of one connected user: loaded from the database when they
 * connect, then kept current by social events, so that joins keep working (and further tabs can
 * open) while the database is down.
 */
export class UserState {
  user: UserSummary;
  friends: Map<string, FriendEntry>;
  /** The user's groups with their role and whether they are muted there. */
  groups: Map<string, GroupEntry>;
  readonly connections = new Set<Connection>();

  constructor(rows: RealtimeUserRows) {
    this.user = { id: rows.user.id, displayName: "", avatarUrl: null };
    this.friends = new Map();
    this.groups = new Map();
    this.refresh(rows);
  }

  refresh(rows: RealtimeUserRows): void {
    const { user } = rows;
    this.user = { id: user.id, displayName: user.display_name, avatarUrl: user.avatar_url };
    this.friends = new Map(
      rows.friends.map((friend) => [
        friend.id,
        {
          summary: {
            id: friend.id,
            displayName: friend.display_name,
            avatarUrl: friend.avatar_url,
          },
          storedLastSeenMs: friend.last_seen_at?.getTime() ?? null,
        },
      ]),
    );
    this.groups = new Map(rows.groups.map((group) => [group.id, { ...group }]));
  }
}

export interface UserDirectoryDeps {
  load(userId: string): Promise<RealtimeUserRows | undefined>;
  /** Online users (their grace included) keep their state with no connection open. */
  isOnline(userId: string): boolean;
  logger: Logger;
}

interface Entry {
  state: UserState | undefined;
  /** Upgrades in progress and open connections. */
  holds: number;
  /** Bumped by every social event about the user, so a load that raced one is done again. */
  generation: number;
}

const MAX_LOAD_ATTEMPTS = 3;

/** The state of every user with a connection open, opening, or in its grace. */
export class UserDirectory {
  readonly #deps: UserDirectoryDeps;
  readonly #entries = new Map<string, Entry>();

  constructor(deps: UserDirectoryDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(userId: string): UserState | undefined {
    return this.#entries.get(userId)?.state;
  }

  /**
   * Loads (or reloads) the user and holds their state until `release`. Undefined when the user
   * does not exist. When the database fails, the state already held is used if there is one;
   * otherwise the error is thrown (the upgrade answers 503).
   */
  async acquire(userId: string): Promise<UserState | undefined> {
    let entry = this.#entries.get(userId);
    if (entry === undefined) {
      entry = { state: undefined, holds: 0, generation: 0 };
      this.#entries.set(userId, entry);
    }
    entry.holds++;
    let state: UserState | undefined;
    try {
      state = await this.#load(userId, entry);
    } finally {
      if (state === undefined) this.release(userId);
    }
    return state;
  }

  /** One more holder of a state that is held already (an upgrade becoming a connection). */
  hold(userId: string): UserState | undefined {
    const entry = this.#entries.get(userId);
    if (entry?.state === undefined) return undefined;
    entry.holds++;
    return entry.state;
  }

  release(userId: string): void {
    const entry = this.#entries.get(userId);
    if (entry === undefined) return;
    entry.holds--;
    this.dropIfUnused(userId);
  }

  /** Forgets a user no one holds who is not online any more. */
  dropIfUnused(userId: string): void {
    const entry = this.#entries.get(userId);
    if (entry !== undefined && entry.holds <= 0 && !this.#deps.isOnline(userId)) {
      this.#entries.delete(userId);
    }
  }

  /** A social event concerns the user: loads in flight start over; returns the state to update. */
  touch(userId: string): UserState | undefined {
    const entry = this.#entries.get(userId);
    if (entry === undefined) return undefined;
    entry.generation++;
    return entry.state;
  }

  async #load(userId: string, entry: Entry): Promise<UserState | undefined> {
    for (let attempt = 1; ; attempt++) {
      const generation = entry.generation;
      let rows: RealtimeUserRows | undefined;
      try {
        rows = await this.#deps.load(userId);
      } catch (error) {
        if (entry.state === undefined) throw error;
        this.#deps.logger.warn({
          event: "ws_user_load_failed",
          userId,
          usingCache: true,
          err: error,
        });
        return entry.state;
      }
      if (rows === undefined) return undefined;
      const isCurrent = entry.generation === generation;
      // Keep retrying while events keep arriving, up to a point; then the held state wins.
      if (!isCurrent && attempt < MAX_LOAD_ATTEMPTS) continue;
      if (!isCurrent && entry.state !== undefined) return entry.state;
      if (entry.state === undefined) entry.state = new UserState(rows);
      else entry.state.refresh(rows);
      return entry.state;
    }
  }
}
