import type { UserSummary } from "@clofri/protocol";
import type { RealtimeUserRows } from "../../db/realtime.ts";
import type { Logger } from "../../obs/logger.ts";
import { BatchLoader } from "./batch-loader.ts";
import { ProfileTable } from "./profile-table.ts";
import { SharedValues } from "./shared-values.ts";
import { UserState } from "./user-state.ts";

export interface UserDirectoryDeps {
  /** The rows of every user named that exists; called once for the users asked for in one tick. */
  load(userIds: readonly string[]): Promise<ReadonlyMap<string, RealtimeUserRows>>;
  /** Online users (their grace included) keep their state with no connection open. */
  isOnline(userId: string): boolean;
  logger: Logger;
}

interface Entry {
  state: UserState | undefined;
  /** Sockets being admitted and open ones. */
  holds: number;
  /** Bumped by every social event about the user, so a load that raced one is done again. */
  generation: number;
}

const MAX_LOAD_ATTEMPTS = 3;

/** The state of every user with a connection open, opening, or in its grace. */
export class UserDirectory {
  readonly #deps: UserDirectoryDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #profiles = new ProfileTable();
  readonly #shared = new SharedValues();
  readonly #rows: BatchLoader<RealtimeUserRows>;

  constructor(deps: UserDirectoryDeps) {
    this.#deps = deps;
    this.#rows = new BatchLoader(deps.load);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The users here who have this person as a friend, whether the person is here or not. */
  friendsHere(userId: string): readonly string[] {
    return this.#profiles.friendsHere(userId);
  }

  /** Distinct people held in memory (users and their friends). */
  get profileCount(): number {
    return this.#profiles.size;
  }

  get(userId: string): UserState | undefined {
    return this.#entries.get(userId)?.state;
  }

  /** The shared copy of a string many connections hold (a topic name). */
  intern(text: string): string {
    return this.#shared.string(text);
  }

  /**
   * Loads (or reloads) the user and holds their state until `release`; undefined for no such
   * user. A database failure serves the state already held, or throws when there is none.
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
      entry.state?.dispose();
    }
  }

  /** Someone's name or avatar changed (`profile_updated`): every state shows the new one. */
  renameProfile(summary: UserSummary): void {
    this.#profiles.rename(summary);
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
      const mark = this.#profiles.loadStarted();
      try {
        let rows: RealtimeUserRows | undefined;
        try {
          rows = await this.#rows.get(userId);
        } catch (error) {
          if (entry.state === undefined) throw error;
          const { logger } = this.#deps;
          logger.warn({ event: "ws_user_load_failed", userId, usingCache: true, err: error });
          return entry.state;
        }
        if (rows === undefined) return undefined;
        const isCurrent = entry.generation === generation;
        // Keep retrying while events keep arriving, up to a point; then the held state wins.
        if (!isCurrent && attempt < MAX_LOAD_ATTEMPTS) continue;
        if (!isCurrent && entry.state !== undefined) return entry.state;
        const fresh = this.#freshRows(rows, mark);
        if (entry.state === undefined) {
          entry.state = new UserState(fresh, this.#profiles, this.#shared);
        } else {
          entry.state.refresh(fresh);
        }
        return entry.state;
      } finally {
        this.#profiles.loadDone();
      }
    }
  }

  #freshRows(rows: RealtimeUserRows, mark: number): RealtimeUserRows {
    return {
      user: this.#profiles.fresh(rows.user, mark),
      presenceMode: rows.presenceMode,
      friends: rows.friends.map((friend) => this.#profiles.fresh(friend, mark)),
      groups: rows.groups,
    };
  }
}
