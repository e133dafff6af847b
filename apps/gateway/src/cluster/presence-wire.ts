// What nodes tell each other of who is online: each node's deltas, and its whole set on request.
import type { LocalStatus } from "../ws/person-status.ts";

/**
 * One person on one node: their open sockets there, and whether they count as online there
 * (a person whose last socket dropped uncleanly stays online for the grace, with none open),
 * and their status there (absent from a node that predates it: active). `[0, 0, lastSeenMs]` is
 * gone, last seen then (the drop, not the end of the grace).
 */
export type NodePresence = [
  sockets: number,
  isOnline: 0 | 1,
  lastSeenMs?: number | null,
  status?: LocalStatus,
];

/** Changes to one node's online people. */
export interface PresenceDelta {
  node: string;
  incarnation: string;
  /** One more than the node's previous delta: a receiver that sees a jump asks for the state. */
  version: number;
  changes: Array<[userId: string, presence: NodePresence]>;
}

/** One node's whole set, for a receiver that missed deltas or met the node just now. */
export interface PresenceState {
  node: string;
  incarnation: string;
  version: number;
  people: Array<[userId: string, presence: NodePresence]>;
}
