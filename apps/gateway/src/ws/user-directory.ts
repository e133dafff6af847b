import type { GroupSummary, UserSummary } from "@clofri/protocol";
import type { RealtimeProfileRow, RealtimeUserRows } from "../db/realtime.ts";
import type { Logger } from "../obs/logger.ts";
import type { Connection } from "./connection.ts";

/** One person as others see them: one record per user, shared by every state that shows them. */
export interface Profile {
  summary: UserSummary;
  /** `users.last_seen_at` as last loaded; the live value comes from presence. */
  storedLastSeenMs: number | null;
}

/** Shared by every member who sees the group alike: replaced on a change, never mutated. */
export type GroupEntry = Readonly<Omit<GroupSummary, "present">>;

export interface UserDirectoryDeps {
  /** The rows of every user named that exists; called once for the users asked for in one tick. */
  load(userIds: readonly string[]): Promise<ReadonlyMap<string, RealtimeUserRows>>;
  /** Online users (their grace included) keep their state with no connection open. */
  isOnline(userId: string): boolean;
  logger: Logger;
}

/**
 * Shares values that repeat across users (group ids and names, topic names, whole group entries)
 * so that each is held once. Bounded: past `capacity` a new generation starts and the old one is
 * kept only for lookups, so values no one uses any more are dropped within two generations.
 */
class Interner<T> {
  readonly #capacity: number;
  #current = new Map<string, T>();
  #previous = new Map<string, T>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value held for `key`, made by `make` if none is. */
  get(key: string, make: (key: string) => T): T {
    const known = this.#current.get(key);
    if (known !== undefined) return known;
    const kept = this.#previous.get(key) ?? make(key);
    if (this.#current.size >= this.#capacity) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, kept);
    return kept;
  }
}

const itself = (text: string): string => text;

/** A profile and the number of states that show this person (as themself or as a friend). */
class SharedProfile implements Profile {
  summary: UserSummary;
  storedLastSeenMs: number | null;
  refs = 0;

  constructor(row: RealtimeProfileRow) {
    this.summary = { id: row.id, displayName: row.displayName, avatarUrl: row.avatarUrl };
    this.storedLastSeenMs = row.lastSeenMs;
  }
}

/** The shared profiles, counted by the states that hold them. */
class ProfileTable {
  readonly #profiles = new Map<string, SharedProfile>();

  get size(): number {
    return this.#profiles.size;
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
    if (this.#profiles.get(profile.summary.id) === profile)
      this.#profiles.delete(profile.summary.id);
  }
}

/**
 * The few connections of one user, in an array: a Set's hash table costs several hundred bytes,
 * once per connected user.
 */
export class ConnectionList implements Iterable<Connection> {
  #connections: Connection[] = [];

  get size(): number {
    return this.#connections.length;
  }

  add(conn: Connection): void {
    if (!this.#connections.includes(conn)) this.#connections.push(conn);
  }

  delete(conn: Connection): boolean {
    const index = this.#connections.indexOf(conn);
    if (index === -1) return false;
    this.#connections.splice(index, 1);
    return true;
  }

  /** Iterates a copy: closing a connection while iterating takes it out of the list. */
  [Symbol.iterator](): Iterator<Connection> {
    return [...this.#connections][Symbol.iterator]();
  }
}

/** Entries kept per group id: member, creator, muted, a direct chat's two names, a rename or two. */
const GROUP_VARIANTS_KEPT = 8;

/** The strings and group entries that many users' states hold alike. */
export class SharedValues {
  readonly #strings = new Interner<string>(INTERNED_VALUES);
  /** By group id, the entries its members see: a handful (member, creator, muted, renamed). */
  readonly #groups = new Interner<GroupEntry[]>(INTERNED_VALUES);

  string(text: string): string {
    return this.#strings.get(text, itself);
  }

  /** Most members of a group see the same entry: its name, member role, not muted. */
  group(group: GroupEntry): GroupEntry {
    const { name, kind, role, muted } = group;
    const id = this.string(group.id);
    const seen = this.#groups.get(id, () => []);
    const known = seen.find(
      (entry) =>
        entry.name === name && entry.kind === kind && entry.role === role && entry.muted === muted,
    );
    if (known !== undefined) return known;
    const entry: GroupEntry = {
      id,
      name: this.string(name),
      // Literals, not the row's own copies of the same few words.
      kind: kind === "direct" ? "direct" : "group",
      role: role === "creator" ? "creator" : "member",
      muted,
    };
    // A group renamed again and again must not grow its list: the oldest variant goes (states
    // that hold it keep their object, it is just no longer handed out).
    if (seen.push(entry) > GROUP_VARIANTS_KEPT) seen.shift();
    return entry;
  }
}

/**
 * One user's groups in the order they joined, found by id. An array rather than a Map: a few
 * entries each, and the Map's hash table would cost more than the entries, once per user.
 */
export class GroupList {
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
 * What the WebSocket layer knows of one connected user: loaded from the database when they
 * connect, then kept current by social events, so that joins keep working (and further tabs can
 * open) while the database is down. Friends are the shared profiles, not copies.
 */
export class UserState {
  /** The user's groups with their role and whether they are muted there. */
  groups = new GroupList();
  readonly connections = new ConnectionList();
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
    const friends = rows.friends.map((friend) => this.#profiles.take(friend));
    this.#releaseProfiles();
    this.#self = self;
    this.#friends = friends;
    this.groups = new GroupList();
    for (const group of rows.groups) this.addGroup(group);
  }

  /** A new friend, or fresher details of one (its place in the list is kept). */
  addFriend(friend: RealtimeProfileRow): void {
    const profile = this.#profiles.take(friend);
    const index = this.#friends.findIndex((known) => known.summary.id === friend.id);
    if (index === -1) {
      this.#friends.push(profile);
      return;
    }
    this.#profiles.release(profile);
  }

  removeFriend(friendId: string): void {
    const index = this.#friends.findIndex((known) => known.summary.id === friendId);
    if (index === -1) return;
    const [removed] = this.#friends.splice(index, 1);
    if (removed !== undefined) this.#profiles.release(removed);
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
    this.#profiles.release(this.#self);
    for (const friend of this.#friends) this.#profiles.release(friend);
  }
}

interface Entry {
  state: UserState | undefined;
  /** Upgrades in progress and open connections. */
  holds: number;
  /** Bumped by every social event about the user, so a load that raced one is done again. */
  generation: number;
}

interface PendingLoad {
  promise: Promise<RealtimeUserRows | undefined>;
  resolve(rows: RealtimeUserRows | undefined): void;
  reject(error: unknown): void;
}

const MAX_LOAD_ATTEMPTS = 3;
/** Per kind of shared value, per generation: well above the groups and names of 20,000 users. */
const INTERNED_VALUES = 65_536;
/** Users loaded by one statement at most; a bigger burst is split. */
const MAX_LOAD_BATCH = 500;

/** The state of every user with a connection open, opening, or in its grace. */
export class UserDirectory {
  readonly #deps: UserDirectoryDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #profiles = new ProfileTable();
  readonly #shared = new SharedValues();
  /** Users asked for since the last flush: loaded together on the next turn of the event loop. */
  #pending = new Map<string, PendingLoad>();

  constructor(deps: UserDirectoryDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#entries.size;
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
      entry.state?.dispose();
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
        rows = await this.#fetch(userId);
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
      if (entry.state === undefined)
        entry.state = new UserState(rows, this.#profiles, this.#shared);
      else entry.state.refresh(rows);
      return entry.state;
    }
  }

  /** The user's rows, from a statement shared with every user asked for in the same tick. */
  #fetch(userId: string): Promise<RealtimeUserRows | undefined> {
    const known = this.#pending.get(userId);
    if (known !== undefined) return known.promise;
    if (this.#pending.size === 0) setImmediate(() => this.#flush());
    const pending = deferred();
    this.#pending.set(userId, pending);
    return pending.promise;
  }

  #flush(): void {
    const batch = [...this.#pending];
    this.#pending = new Map();
    for (let start = 0; start < batch.length; start += MAX_LOAD_BATCH) {
      const chunk = batch.slice(start, start + MAX_LOAD_BATCH);
      this.#deps.load(chunk.map(([userId]) => userId)).then(
        (found) => {
          for (const [userId, pending] of chunk) pending.resolve(found.get(userId));
        },
        (error: unknown) => {
          for (const [, pending] of chunk) pending.reject(error);
        },
      );
    }
  }
}

function deferred(): PendingLoad {
  let resolve!: PendingLoad["resolve"];
  let reject!: PendingLoad["reject"];
  const promise = new Promise<RealtimeUserRows | undefined>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
