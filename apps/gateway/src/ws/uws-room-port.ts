import type { TemplatedApp } from "uWebSockets.js";
import type { RoomPort } from "../chat/room-port.ts";
import type { Connection } from "./connection.ts";
import { presenceTopic, roomTopic } from "./topics.ts";

/** Rooms reach the sockets through uWS topics: a broadcast is serialized once, fanned out natively. */
export class UwsRoomPort implements RoomPort {
  readonly #connections: ReadonlyMap<string, Connection>;
  #app: TemplatedApp | undefined;

  constructor(connections: ReadonlyMap<string, Connection>) {
    this.#connections = connections;
  }

  /** Until the app exists no socket does either, so nothing is lost before this. */
  attach(app: TemplatedApp): void {
    this.#app = app;
  }

  publishRoom(groupId: string, text: string): void {
    this.#app?.publish(roomTopic(groupId), text, false);
  }

  publishPresence(groupId: string, text: string): void {
    this.#app?.publish(presenceTopic(groupId), text, false);
  }

  sendTo(connId: string, text: string): void {
    this.#connections.get(connId)?.send(text);
  }

  subscribeRoom(connId: string, groupId: string): void {
    this.#connections.get(connId)?.subscribe(roomTopic(groupId));
  }

  /** The room took the connection out (leave, kick, group deleted, room given up). */
  unsubscribeRoom(connId: string, groupId: string): void {
    const conn = this.#connections.get(connId);
    if (conn === undefined) return;
    conn.unsubscribe(roomTopic(groupId));
    conn.joined.delete(groupId);
  }
}
