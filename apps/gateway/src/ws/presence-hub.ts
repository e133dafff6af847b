import { type Clock, realClock } from "@clofri/actors";
import type { Kysely } from "kysely";
import type { Rooms } from "../chat/rooms.ts";
import { type PresenceChange, UserPresence } from "../chat/user-presence.ts";
import type { PresenceTracker, PresenceTransition } from "../cluster/presence-tracker.ts";
import type { Database } from "../db/tables.ts";
import type { Logger } from "../obs/logger.ts";
import type { PresenceReader } from "../social/presence.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import { FriendPresence } from "./friend-presence.ts";
import { LastSeenWriter } from "./last-seen-writer.ts";
import { PersonStatus } from "./person-status.ts";
import type { UserDirectory } from "./users/user-directory.ts";

export interface PresenceHubDeps {
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock | undefined;
  now: () => number;
  graceMs: number;
  directory: () => UserDirectory;
  index: ConnectionIndex;
  rooms: () => Rooms;
  /** Cluster mode: presence merged across the gateways. */
  tracker: PresenceTracker | undefined;
  publish(topic: string, text: string): void;
  isShuttingDown(): boolean;
}

/**
 * Everything about who is online and how they appear: connections per person (with the grace),
 * the status friends see (idle, busy, appear offline), merged across gateways in cluster mode,
 * what the REST side reads of it, and the last-seen times written back.
 */
export class PresenceHub {
  readonly userPresence: UserPresence;
  readonly status: PersonStatus;
  readonly friends: FriendPresence;
  readonly lastSeen: LastSeenWriter;
  readonly reader: PresenceReader;
  readonly #deps: PresenceHubDeps;

  constructor(deps: PresenceHubDeps) {
    this.#deps = deps;
    const { tracker, index } = deps;
    this.friends = new FriendPresence({
      get directory() {
        return deps.directory();
      },
      index,
      publish: deps.publish,
      isShuttingDown: deps.isShuttingDown,
    });
    this.userPresence = new UserPresence({
      graceMs: deps.graceMs,
      clock: deps.clock ?? realClock,
      now: deps.now,
      onChange: this.#presenceChanged,
    });
    this.status = new PersonStatus({
      isOnlineHere: (userId) => this.userPresence.isOnline(userId),
      socketsHere: (userId) => index.admittedOf(userId),
      modeOf: (userId) => deps.directory().get(userId)?.presenceMode,
      now: deps.now,
      merged: tracker && ((userId) => tracker.statusOf(userId)),
      onChange: this.friends.changed,
    });
    this.lastSeen = new LastSeenWriter(deps.db, this.userPresence, deps.logger);
    this.reader = this.#reader();
  }

  /** The person's sockets, idleness or mode here changed: tell friends (through the cluster). */
  localChanged(userId: string, lastSeenMs?: number): void {
    const tracker = this.#deps.tracker;
    if (tracker === undefined) {
      this.status.refresh(userId, lastSeenMs);
      return;
    }
    const sockets = this.#deps.index.admittedCountOf(userId);
    const status = this.status.local(userId) ?? "active";
    const { userPresence } = this;
    const isOnline = userPresence.isOnline(userId);
    tracker.setLocal(userId, sockets, isOnline, userPresence.lastSeen(userId), status);
  }

  /** Cluster mode: the merged presence of a person changed. */
  readonly clusterChanged = (transition: PresenceTransition): void => {
    const lastSeenMs = transition.type === "offline" ? transition.lastSeenMs : undefined;
    this.status.refresh(transition.userId, lastSeenMs);
  };

  readonly #presenceChanged = (change: PresenceChange): void => {
    this.localChanged(change.userId, change.type === "offline" ? change.lastSeenMs : undefined);
    if (change.type === "offline") this.#deps.directory().dropIfUnused(change.userId);
  };

  /** Who friends see online and when they were last seen; who is in each room (not the hidden). */
  #reader(): PresenceReader {
    const { now, tracker } = this.#deps;
    const status = this.status;
    return {
      isOnline: (userId) => status.statusOf(userId) !== "offline",
      statusOf: (userId) => status.statusOf(userId),
      lastSeen: (userId) => {
        if (status.isHidden(userId)) return status.hiddenSince(userId);
        if (status.statusOf(userId) !== "offline") return now();
        if (tracker?.isOnline(userId) === true) return now();
        return tracker?.lastSeen(userId) ?? this.userPresence.lastSeen(userId);
      },
      presentIn: (groupId) =>
        this.#deps
          .rooms()
          .presentIn(groupId)
          .filter((userId) => !status.isHidden(userId)),
    };
  }
}
