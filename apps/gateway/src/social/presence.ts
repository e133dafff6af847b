import type { FriendStatus } from "@clofri/protocol";

/** What the social API reads about who is online, answered from the real-time layer's memory. */
export interface PresenceReader {
  /**
   * Online as friends see it: at least one live connection of this user (a dropped socket counts
   * during its grace), unless they appear offline.
   */
  isOnline(userId: string): boolean;
  /** As friends see it: active, idle, busy, or offline (appearing offline included). */
  statusOf(userId: string): FriendStatus;
  /**
   * When this user was last online, in ms, if the real-time layer knows something newer than
   * `users.last_seen_at`; undefined to use the stored value.
   */
  lastSeen(userId: string): number | undefined;
  /** User ids in the group's room now (joined from at least one connection), but the hidden. */
  presentIn(groupId: string): string[];
}
