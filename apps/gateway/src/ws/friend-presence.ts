import { encode, type ServerFrame } from "@clofri/protocol";
import type { ConnectionIndex } from "./connection-index.ts";
import type { StatusChange } from "./person-status.ts";
import { userTopic } from "./topics.ts";
import type { UserDirectory } from "./users/user-directory.ts";

export interface FriendPresenceDeps {
  directory: UserDirectory;
  index: ConnectionIndex;
  publish(topic: string, text: string): void;
  isShuttingDown(): boolean;
}

/**
 * Tells a person's friends here that their status changed: online, offline (or appearing so),
 * busy, idle, active; one publish to each friend with a socket open. Presence changes are rare;
 * a subscription per socket to every friend's presence was not.
 */
export class FriendPresence {
  readonly #deps: FriendPresenceDeps;

  constructor(deps: FriendPresenceDeps) {
    this.#deps = deps;
  }

  changed = (change: StatusChange): void => {
    const { directory, index } = this.#deps;
    // The people here who have them as a friend: the same whether they are connected here or
    // to another gateway of the cluster.
    const friends = [...directory.friendsHere(change.userId)];
    if (change.after === "offline") directory.dropIfUnused(change.userId);
    if (this.#deps.isShuttingDown()) return;
    const frame = statusFrame(change);
    let text: string | undefined;
    for (const friendId of friends) {
      if (index.hasAdmitted(friendId)) {
        text ??= encode(frame);
        this.#deps.publish(userTopic(friendId), text);
      }
    }
  };
}

function statusFrame({ userId, before, after, lastSeenMs }: StatusChange): ServerFrame {
  if (after === "offline") return { type: "friend_offline", userId, lastSeen: lastSeenMs };
  // `status` only when not plainly active: a version 1 frame otherwise.
  if (before === "offline") {
    return after === "active"
      ? { type: "friend_online", userId }
      : { type: "friend_online", userId, status: after };
  }
  return { type: "friend_status", userId, status: after };
}
