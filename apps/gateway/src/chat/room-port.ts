/**
 * What a room may do at the edge. The WebSocket layer implements it with uWS topics, so a
 * broadcast is serialized once and fanned out by uWS, never by a loop over sockets in JS.
 * A connId that is no longer connected must be ignored: a room may learn of a close late.
 */
export interface RoomPort {
  /** To every connection that joined the room (topic `room:<groupId>`), the sender's included. */
  publishRoom(groupId: string, text: string): void;
  /**
   * To every connection that joined the room but `connId` (the room topic, published from that
   * socket): what a person does reaches the others, not the socket that did it.
   */
  publishRoomExcept(connId: string, groupId: string, text: string): void;
  /** To every online member of the group, joined or not (topic `presence:<groupId>`). */
  publishPresence(groupId: string, text: string): void;
  sendTo(connId: string, text: string): void;
  /**
   * Each text to every connection of its user (topic `user:<userId>`), wherever they are.
   * `mayWait`: it may wait a little for a write to that person's sockets to ride on.
   */
  publishToUsers(deliveries: readonly UserDelivery[], mayWait?: boolean): void;
  subscribeRoom(connId: string, groupId: string): void;
  unsubscribeRoom(connId: string, groupId: string): void;
}

/** One frame for one person: serialized once, fanned out to their sockets by uWS. */
export interface UserDelivery {
  userId: string;
  text: string;
}
