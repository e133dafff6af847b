import { encode, type ServerFrame } from "@clofri/protocol";
import type { Rooms } from "../chat/rooms.ts";
import type { Logger } from "../obs/logger.ts";
import type { Delivery, SocialEvent } from "../social/events.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import { presenceTopic, roomTopic, userTopic } from "./topics.ts";
import type { UserDirectory } from "./users/user-directory.ts";

type EventOf<Type extends SocialEvent["type"]> = Extract<SocialEvent, { type: Type }>;

export interface SocialSyncDeps {
  rooms: Rooms;
  directory: UserDirectory;
  index: ConnectionIndex;
  publish(topic: string, text: string): void;
  logger: Logger;
  /** A person's presence mode changed here: their status may follow. */
  onPresenceMode?: ((userId: string) => void) | undefined;
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
    const { directory, rooms } = this.#deps;
    switch (event.type) {
      case "friend_request":
      case "friend_request_removed":
        return;
      case "friend_added":
        this.#friendAdded(event);
        return;
      case "friend_removed":
        for (const { userId, frame } of event.deliveries) {
          directory.get(userId)?.removeFriend(frame.userId);
        }
        return;
      case "group_added":
        this.#groupAdded(event);
        return;
      case "group_updated":
        this.#groupRenamed(event);
        return;
      case "group_deleted":
        this.#report(rooms.call(event.group, { type: "close", reason: "group deleted" }), event);
        for (const userId of event.userIds) this.#removeFromGroup(userId, event.group);
        return;
      case "member_kicked":
      case "member_left":
        this.#report(rooms.call(event.group, { type: "kick", userId: event.userId }), event);
        this.#removeFromGroup(event.userId, event.group);
        if (event.type === "member_left" && event.creatorId !== undefined) {
          directory.get(event.creatorId)?.updateGroup(event.group, { role: "creator" });
        }
        return;
      case "profile_updated":
        this.#profileUpdated(event);
        return;
      case "presence_mode":
        this.#presenceMode(event);
        return;
      case "member_muted": {
        const request = { type: "set_muted", userId: event.userId, isMuted: event.muted } as const;
        this.#report(rooms.call(event.group, request), event);
        directory.get(event.userId)?.updateGroup(event.group, { muted: event.muted });
        return;
      }
    }
  }

  #friendAdded(event: EventOf<"friend_added">): void {
    for (const { userId, frame } of event.deliveries) {
      const { id, displayName, avatarUrl, lastSeen } = frame.friend;
      // Their presence now reaches this user: it is published to each friend's user topic.
      this.#deps.directory
        .get(userId)
        ?.addFriend({ id, displayName, avatarUrl, lastSeenMs: lastSeen });
    }
  }

  #groupAdded(event: EventOf<"group_added">): void {
    const { directory, index } = this.#deps;
    for (const { userId, frame } of event.deliveries) {
      this.#deps.rooms.cast(frame.group.id, { type: "member_added", userId });
      const state = directory.get(userId);
      if (state === undefined) continue;
      const { present: _present, ...group } = frame.group;
      state.addGroup(group);
      const topic = directory.intern(presenceTopic(group.id));
      for (const conn of index.admittedOf(userId)) conn.subscribe(topic);
    }
  }

  #groupRenamed(event: EventOf<"group_updated">): void {
    for (const { userId } of event.deliveries) {
      const state = this.#deps.directory.get(userId);
      // A direct chat is named after the other person, never renamed.
      if (state?.groups.get(event.group)?.kind === "group") {
        state.updateGroup(event.group, { name: event.name });
      }
    }
  }

  #profileUpdated(event: EventOf<"profile_updated">): void {
    this.#deps.directory.renameProfile(event.user);
    const { id: userId, displayName, avatarUrl } = event.user;
    for (const groupId of event.groups) {
      this.#deps.rooms.cast(groupId, { type: "rename", userId, displayName, avatarUrl });
    }
  }

  /** The person's rooms show them to the group's home, or stop to; friends see the new status. */
  #presenceMode(event: EventOf<"presence_mode">): void {
    const { directory, rooms } = this.#deps;
    const state = directory.get(event.userId);
    if (state !== undefined) state.presenceMode = event.mode;
    const isHidden = event.mode === "offline";
    for (const groupId of event.groups) {
      rooms.cast(groupId, { type: "set_hidden", userId: event.userId, isHidden });
    }
    this.#deps.onPresenceMode?.(event.userId);
  }

  /** No longer a member: not in the room (the room unsubscribed it), not told of its presence. */
  #removeFromGroup(userId: string, groupId: string): void {
    const state = this.#deps.directory.get(userId);
    if (state === undefined) return;
    state.groups.delete(groupId);
    for (const conn of this.#deps.index.admittedOf(userId)) {
      conn.unsubscribe(presenceTopic(groupId));
      conn.unsubscribe(roomTopic(groupId));
      conn.leaveRoom(groupId);
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
