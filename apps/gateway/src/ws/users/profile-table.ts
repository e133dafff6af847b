import type { UserSummary } from "@clofri/protocol";
import type { RealtimeProfileRow } from "../../db/realtime.ts";

/** One person as others see them: one record per user, shared by every state that shows them. */
export interface Profile {
  summary: UserSummary;
  /** `users.last_seen_at` as last loaded; the live value comes from presence. */
  storedLastSeenMs: number | null;
}

/** A profile and the number of states that show this person (as themself or as a friend). */
export class SharedProfile implements Profile {
  summary: UserSummary;
  storedLastSeenMs: number | null;
  refs = 0;
  /** The users here who have this person as a friend (an array: a few each). */
  readonly friendOf: string[] = [];

  constructor(row: RealtimeProfileRow) {
    this.summary = { id: row.id, displayName: row.displayName, avatarUrl: row.avatarUrl };
    this.storedLastSeenMs = row.lastSeenMs;
  }
}

/** The shared profiles, counted by the states that hold them. */
export class ProfileTable {
  readonly #profiles = new Map<string, SharedProfile>();
  /** Renames since the oldest load in flight began: rows read before one carry the old name. */
  readonly #renames = new Map<string, { summary: UserSummary; seq: number }>();
  #seq = 0;
  #loadsInFlight = 0;

  get size(): number {
    return this.#profiles.size;
  }

  /** A load begins; its rows go through `fresh` with the mark, then `loadDone`. */
  loadStarted(): number {
    this.#loadsInFlight++;
    return this.#seq;
  }

  loadDone(): void {
    if (--this.#loadsInFlight === 0) this.#renames.clear();
  }

  /** The row as of now: a rename after `mark` wins over what the load read. */
  fresh(row: RealtimeProfileRow, mark: number): RealtimeProfileRow {
    const renamed = this.#renames.get(row.id);
    if (renamed === undefined || renamed.seq <= mark) return row;
    const { displayName, avatarUrl } = renamed.summary;
    return { ...row, displayName, avatarUrl };
  }

  /** The person's name or avatar changed: every state that shows them sees it at once. */
  rename(summary: UserSummary): void {
    const seq = ++this.#seq;
    if (this.#loadsInFlight > 0) this.#renames.set(summary.id, { summary, seq });
    const profile = this.#profiles.get(summary.id);
    if (profile !== undefined) profile.summary = { ...summary };
  }

  /** The users here who have this person as a friend (empty when nobody here shows them). */
  friendsHere(userId: string): readonly string[] {
    return this.#profiles.get(userId)?.friendOf ?? [];
  }

  /** `take`, as the friend of `holderId`. */
  takeAsFriendOf(row: RealtimeProfileRow, holderId: string): SharedProfile {
    const profile = this.take(row);
    profile.friendOf.push(holderId);
    return profile;
  }

  releaseAsFriendOf(profile: SharedProfile, holderId: string): void {
    const index = profile.friendOf.indexOf(holderId);
    if (index !== -1) profile.friendOf.splice(index, 1);
    this.release(profile);
  }

  /** The shared profile of `row.id`, brought up to date with the row; release it when done. */
  take(row: RealtimeProfileRow): SharedProfile {
    let profile = this.#profiles.get(row.id);
    if (profile === undefined) {
      profile = new SharedProfile(row);
      this.#profiles.set(row.id, profile);
    } else {
      const { summary } = profile;
      if (summary.displayName !== row.displayName || summary.avatarUrl !== row.avatarUrl) {
        // A new object: rooms keep the summary they were given at join, as they always did.
        profile.summary = {
          id: summary.id,
          displayName: row.displayName,
          avatarUrl: row.avatarUrl,
        };
      }
      profile.storedLastSeenMs = row.lastSeenMs;
    }
    profile.refs++;
    return profile;
  }

  release(profile: SharedProfile): void {
    if (--profile.refs > 0) return;
    if (this.#profiles.get(profile.summary.id) === profile) {
      this.#profiles.delete(profile.summary.id);
    }
  }
}
