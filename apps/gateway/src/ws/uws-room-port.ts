import type { TemplatedApp } from "uWebSockets.js";
import type { RoomPort } from "../chat/room-port.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import { presenceTopic, roomTopic } from "./topics.ts";

/** Rooms reach the sockets through uWS topics: a broadcast is serialized once, fanned out natively. */
export class UwsRoomPort implements RoomPort {
  readonly #connections: ReadonlyMap<string, Connection>;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  #app: TemplatedApp | undefined;

  constructor(
    connections: ReadonlyMap<string, Connection>,
    metrics: GatewayMetrics,
    logger: Logger,
  ) {
    this.#connections = connections;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /** Until the app exists no socket does either, so nothing is lost before this. */
  attach(app: TemplatedApp): void {
    this.#app = app;
  }

  /**
   * The message now, the ack at the end of this event-loop turn. uWS writes each socket's queued
   * publishes once per turn, after every frame that turn read; an ack sent inside the sender's
   * message handler made a write of its own (its copy and the ack) on top of that one. Held to
   * the turn's immediate phase, the ack goes out corked with whatever the turn published to the
   * sender, its own copy first: at most one write per socket per turn. (A server close before
   * then sends it first: `Connection.close`.) Measured in rooms of 8: 25 % fewer send() calls at
   * 20,000 messages/s, 3.0 µs of server CPU per delivery instead of 3.8 at 25,000
   * (docs/BENCHMARKS.md).
   */
  publishFrom(connId: string, groupId: string, text: string, reply: string | undefined): void {
    this.publish(roomTopic(groupId), text);
    if (reply === undefined) return;
    const conn = this.#connections.get(connId);
    if (conn === undefined || !conn.hold(reply)) return;
    this.#holding.push(conn);
    if (this.#holding.length === 1) setImmediate(this.#flushHeld);
  }

  /** Connections with replies held for this turn's immediate phase. */
  #holding: Connection[] = [];

  readonly #flushHeld = (): void => {
    const holding = this.#holding;
    this.#holding = [];
    for (const conn of holding) {
      // One socket's failure must not cost the others their replies, nor reach the event loop.
      try {
        conn.flushHeld();
      } catch (error) {
        this.#logger.error({ event: "ws_held_replies_failed", connId: conn.id, err: error });
      }
    }
  };

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
