import type { PresenceMode, UserSummary } from "@clofri/protocol";
import type { RealtimeProfileRow, RealtimeUserRows } from "../../db/realtime.ts";
import type { Profile, ProfileTable, SharedProfile } from "./profile-table.ts";
import type { GroupEntry, SharedValues } from "./shared-values.ts";

/**
 * One user's groups in the order they joined, found by id. An array rather than a Map: a few
 * entries each, and the Map's hash table would cost more than the entries, once per user.
 */
class GroupList {
  #entries: GroupEntry[] = [];

  get size(): number {
    return this.#entries.length;
  }

  get(groupId: string): GroupEntry | undefined {
    return this.#entries.find((entry) => entry.id === groupId);
  }

  /** Replaces the entry with the same id in place, or adds it last. */
  set(entry: GroupEntry): void {
    const index = this.#entries.findIndex((known) => known.id === entry.id);
    if (index === -1) this.#entries.push(entry);
    else this.#entries[index] = entry;
  }

  delete(groupId: string): boolean {
    const index = this.#entries.findIndex((entry) => entry.id === groupId);
    if (index === -1) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.#entries.map((entry) => entry.id).values();
  }

  values(): IterableIterator<GroupEntry> {
    return [...this.#entries].values();
  }
}

/**
 * What the gateway knows of one connected user: loaded when they connect, then kept current by
 * social events, so joins (and further tabs) keep working while the database is down. Friends
 * are the shared profiles, not copies.
 */
export class UserState {
  /** The user's groups with their role and whether they are muted there. */
  groups = new GroupList();
  /** How the user chose to appear; kept current by `presence_mode` events. */
  presenceMode: PresenceMode = "auto";
  readonly #profiles: ProfileTable;
  readonly #shared: SharedValues;
  #self: SharedProfile;
  /** In display-name order as loaded; friends added since come last. */
  #friends: SharedProfile[] = [];

  constructor(rows: RealtimeUserRows, profiles: ProfileTable, shared: SharedValues) {
    this.#profiles = profiles;
    this.#shared = shared;
    this.#self = profiles.take(rows.user);
    this.refresh(rows);
  }

  get user(): UserSummary {
    return this.#self.summary;
  }

  get friends(): readonly Profile[] {
    return this.#friends;
  }

  refresh(rows: RealtimeUserRows): void {
    const { user } = rows;
    // Taken before the old ones are released, so profiles still in use are not rebuilt.
    const self = this.#profiles.take(user);
    const friends = rows.friends.map((friend) => this.#profiles.takeAsFriendOf(friend, user.id));
    this.#releaseProfiles();
    this.#self = self;
    this.#friends = friends;
    this.presenceMode = rows.presenceMode;
    this.groups = new GroupList();
    for (const group of rows.groups) this.addGroup(group);
  }

  /** A new friend, or fresher details of one (its place in the list is kept). */
  addFriend(friend: RealtimeProfileRow): void {
    const profile = this.#profiles.takeAsFriendOf(friend, this.user.id);
    const index = this.#friends.findIndex((known) => known.summary.id === friend.id);
    if (index === -1) {
      this.#friends.push(profile);
      return;
    }
    this.#profiles.releaseAsFriendOf(profile, this.user.id);
  }

  removeFriend(friendId: string): void {
    const index = this.#friends.findIndex((known) => known.summary.id === friendId);
    if (index === -1) return;
    const [removed] = this.#friends.splice(index, 1);
    if (removed !== undefined) this.#profiles.releaseAsFriendOf(removed, this.user.id);
  }

  addGroup(group: GroupEntry): void {
    this.groups.set(this.#shared.group(group));
  }

  /** A group changed for this user (renamed, now its creator, muted): a new entry replaces it. */
  updateGroup(groupId: string, change: Partial<Pick<GroupEntry, "name" | "role" | "muted">>): void {
    const group = this.groups.get(groupId);
    if (group !== undefined) this.addGroup({ ...group, ...change });
  }

  /** The directory forgot the user: give back the shared profiles. */
  dispose(): void {
    this.#releaseProfiles();
    this.#friends = [];
  }

  #releaseProfiles(): void {
    const holderId = this.#self.summary.id;
    this.#profiles.release(this.#self);
    for (const friend of this.#friends) this.#profiles.releaseAsFriendOf(friend, holderId);
  }
}
