import { encode, type ServerFrame } from "@clofri/protocol";
import type { Rooms } from "../chat/rooms.ts";
import type { Logger } from "../obs/logger.ts";
import type { Delivery, SocialEvent } from "../social/events.ts";
import { presenceTopic, roomTopic, userTopic } from "./topics.ts";
import type { UserDirectory } from "./user-directory.ts";

export interface SocialSyncDeps {
  rooms: Rooms;
  directory: UserDirectory;
  publish(topic: string, text: string): void;
  logger: Logger;
}

/**
 * Applies a social-graph change to what the WebSocket layer holds (membership caches, topic
 * subscriptions, rooms), then delivers each frame to its user's sockets through `user:<id>`.
 */
export class SocialSync {
  readonly #deps: SocialSyncDeps;

  constructor(deps: SocialSyncDeps) {
    this.#deps = deps;
  }

  handle = (event: SocialEvent): void => {
    for (const userId of concernedUsers(event)) this.#deps.directory.touch(userId);
    this.#apply(event);
    for (const delivery of event.deliveries as Delivery<ServerFrame>[]) {
      this.#deps.publish(userTopic(delivery.userId), encode(delivery.frame));
    }
  };

  #apply(event: SocialEvent): void {
    const { directory } = this.#deps;
    switch (event.type) {
      case "friend_request":
        return;
      case "friend_added":
        for (const { userId, frame } of event.deliveries) {
          const state = directory.get(userId);
          if (state === undefined) continue;
          const { id, displayName, avatarUrl, lastSeen } = frame.friend;
          // Their presence now reaches this user: it is published to each friend's user topic.
          state.addFriend({ id, displayName, avatarUrl, lastSeenMs: lastSeen });
        }
        return;
      case "friend_removed":
        for (const { userId, frame } of event.deliveries) {
          const state = directory.get(userId);
          if (state === undefined) continue;
          state.removeFriend(frame.userId);
        }
        return;
      case "group_added":
        for (const { userId, frame } of event.deliveries) {
          const state = directory.get(userId);
          if (state === undefined) continue;
          const { present: _present, ...group } = frame.group;
          state.addGroup(group);
          const topic = directory.intern(presenceTopic(group.id));
          for (const conn of state.connections) conn.subscribe(topic);
        }
        return;
      case "group_updated":
        for (const { userId } of event.deliveries) {
          const state = directory.get(userId);
          // A direct chat is named after the other person, never renamed.
          if (state?.groups.get(event.group)?.kind === "group") {
            state.updateGroup(event.group, { name: event.name });
          }
        }
        return;
      case "group_deleted":
        this.#report(this.#deps.rooms.close(event.group, { reason: "group deleted" }), event);
        for (const userId of event.userIds) this.#removeFromGroup(userId, event.group);
        return;
      case "member_kicked":
        this.#report(this.#deps.rooms.kick(event.group, { userId: event.userId }), event);
        this.#removeFromGroup(event.userId, event.group);
        return;
      case "member_left": {
        this.#report(this.#deps.rooms.kick(event.group, { userId: event.userId }), event);
        this.#removeFromGroup(event.userId, event.group);
        if (event.creatorId !== undefined) {
          directory.get(event.creatorId)?.updateGroup(event.group, { role: "creator" });
        }
        return;
      }
      case "member_muted": {
        const request = { userId: event.userId, isMuted: event.muted };
        this.#report(this.#deps.rooms.setMuted(event.group, request), event);
        directory.get(event.userId)?.updateGroup(event.group, { muted: event.muted });
        return;
      }
    }
  }

  /** No longer a member: not in the room (the room unsubscribed it), not told of its presence. */
  #removeFromGroup(userId: string, groupId: string): void {
    const state = this.#deps.directory.get(userId);
    if (state === undefined) return;
    state.groups.delete(groupId);
    for (const conn of state.connections) {
      conn.unsubscribe(presenceTopic(groupId));
      conn.unsubscribe(roomTopic(groupId));
      conn.joined.delete(groupId);
    }
  }

  /** Room calls never reject for expected failures; a rejection is a bug worth a log line. */
  #report(result: Promise<{ ok: boolean }>, event: SocialEvent): void {
    result.then(
      (outcome) => {
        if (!outcome.ok) {
          this.#deps.logger.warn({ event: "ws_social_room_failed", type: event.type, outcome });
        }
      },
      (error: unknown) => {
        this.#deps.logger.error({ event: "ws_social_room_failed", type: event.type, err: error });
      },
    );
  }
}

function concernedUsers(event: SocialEvent): Set<string> {
  const userIds = new Set(event.deliveries.map((delivery) => delivery.userId));
  if ("userIds" in event) for (const userId of event.userIds) userIds.add(userId);
  if ("userId" in event) userIds.add(event.userId);
  return userIds;
}
