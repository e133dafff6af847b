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

  /**
   * uWS writes a socket's queued publishes before anything sent to it directly, so the sender
   * gets its copy, then the ack; inside its message handler the socket is corked and the two
   * leave in one write. (Publishing past the sender and writing its copy in a `ws.cork` of our
   * own was measured: ~15 % more send() calls, not fewer.)
   */
  publishFrom(connId: string, groupId: string, text: string, reply: string | undefined): void {
    this.publish(roomTopic(groupId), text);
    if (reply !== undefined) this.#connections.get(connId)?.send(reply);
  }

  publishRoomExcept(connId: string, groupId: string, text: string): void {
    const topic = roomTopic(groupId);
    const conn = this.#connections.get(connId);
    const app = this.#app;
    if (conn === undefined || conn.isClosed || app === undefined) {
      this.publish(topic, text);
      return;
    }
    // uWS leaves the publishing socket out of its own publish.
    this.#metrics.published(text, Math.max(0, app.numSubscribers(topic) - 1));
    conn.publish(topic, text);
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
