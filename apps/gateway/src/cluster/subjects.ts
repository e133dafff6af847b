// Every NATS subject the gateways use, in one place. `<node>` is a NODE_ID, `<group>` a group id.

const PREFIX = "clofri";

export const SUBJECTS = {
  /** Every node's heartbeat, with its incarnation and its presence version. */
  heartbeat: `${PREFIX}.node.heartbeat`,
  /** A node leaving on purpose (SIGTERM): the others stop waiting for its lease. */
  leaving: `${PREFIX}.node.leaving`,
  /** Changes to the set of people a node has online. */
  presence: `${PREFIX}.presence`,
  /** Social-graph changes, as the gateway that committed them emitted them. */
  social: `${PREFIX}.social`,
  /** Frames for people wherever their sockets are (`group_activity`), a batch per message. */
  userDeliveries: `${PREFIX}.users.deliver`,
  /** Sessions that ended, so every gateway closes their sockets. */
  sessionsEnded: `${PREFIX}.sessions.ended`,
} as const;

/** Requests to one node: room calls for the rooms it owns, presence syncs, hand-overs. */
export function nodeSubject(node: string): string {
  return `${PREFIX}.node.${node}.rpc`;
}

/** Asks one node for its whole presence set. */
export function presenceStateSubject(node: string): string {
  return `${PREFIX}.node.${node}.presence`;
}

/** What a node tells one of its sockets on another node (a room's direct reply). */
export function deliverySubject(node: string): string {
  return `${PREFIX}.node.${node}.deliver`;
}

/** A room's events (messages, typing), published once by its owner. */
export function roomEventsSubject(groupId: string): string {
  return `${PREFIX}.room.${groupId}`;
}

/** A group's presence events (joined, left, idle), published once by its room's owner. */
export function groupEventsSubject(groupId: string): string {
  return `${PREFIX}.group.${groupId}`;
}

/** Every group's presence events, for the wildcard subscription each node holds. */
export const ALL_GROUP_EVENTS = `${PREFIX}.group.*`;

/** The inbox a node's requests are answered on: `<inbox>.<id>`. */
export function replyInbox(node: string): string {
  return `${PREFIX}.inbox.${node}`;
}

/** The KV bucket naming each room's owner. */
export const ROOMS_BUCKET = "clofri_rooms";
