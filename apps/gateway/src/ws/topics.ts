// uWS topic names. A broadcast is serialized once and published to one of these; uWS fans it out.

/** Connections that joined the group's room: messages, typing. */
export function roomTopic(groupId: string): string {
  return `room:${groupId}`;
}

/** Every connection of every member of the group, joined or not: who is in the room. */
export function presenceTopic(groupId: string): string {
  return `presence:${groupId}`;
}

/** Every connection of one user: social events meant for them, their friends' presence. */
export function userTopic(userId: string): string {
  return `user:${userId}`;
}
