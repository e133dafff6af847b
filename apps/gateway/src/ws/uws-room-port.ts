import type { TemplatedApp } from "uWebSockets.js";
import type { RoomPort } from "../chat/room-port.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import { presenceTopic, roomTopic } from "./topics.ts";

/** Rooms reach the sockets through uWS topics: a broadcast is serialized once, fanned out natively. */
export class UwsRoomPort implements RoomPort {
  readonly #connections: ReadonlyMap<string, Connection>;
  readonly #metrics: GatewayMetrics;
  #app: TemplatedApp | undefined;

  constructor(connections: ReadonlyMap<string, Connection>, metrics: GatewayMetrics) {
    this.#connections = connections;
    this.#metrics = metrics;
  }

  /** Until the app exists no socket does either, so nothing is lost before this. */
  attach(app: TemplatedApp): void {
    this.#app = app;
  }

  publishRoom(groupId: string, text: string): void {
    this.publish(roomTopic(groupId), text);
  }

  publishPresence(groupId: string, text: string): void {
    this.publish(presenceTopic(groupId), text);
  }

  /** Every broadcast goes through here: one serialized frame, fanned out by uWS, counted. */
  publish(topic: string, text: string): void {
    const app = this.#app;
    if (app === undefined) return;
    // A broadcast's deliveries are the sockets subscribed to its topic (app.publish includes
    // the sender's own sockets).
    this.#metrics.published(text, app.numSubscribers(topic));
    app.publish(topic, text, false);
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
