/**
 * What the social API reads about who is online, answered from the real-time layer's memory. The
 * gateway starts with `noPresence`; the real-time layer replaces it (GatewayDeps.presence) with
 * one backed by its user and room actors.
 */
export interface PresenceReader {
  /** At least one live connection of this user (a dropped socket counts during its grace). */
  isOnline(userId: string): boolean;
  /**
   * When this user was last online, in ms, if the real-time layer knows something newer than
   * `users.last_seen_at`; undefined to use the stored value.
   */
  lastSeen(userId: string): number | undefined;
  /** User ids in the group's room now (joined from at least one connection). */
  presentIn(groupId: string): string[];
}

/** Until the real-time layer exists: nobody is online and no room has anyone in it. */
export const noPresence: PresenceReader = {
  isOnline: () => false,
  lastSeen: () => undefined,
  presentIn: () => [],
};
