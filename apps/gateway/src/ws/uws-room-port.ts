import type { TemplatedApp } from "uWebSockets.js";
import type { Clock } from "@clofri/actors";
import { LIMITS } from "@clofri/protocol";
import type { RoomPort, UserDelivery } from "../chat/room-port.ts";
import { GROUP_ACTIVITY_FRAME } from "../obs/frame-types.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import { presenceTopic, roomTopic, userTopic } from "./topics.ts";
import { UserOutbox } from "./user-outbox.ts";

/**
 * How long a person's `group_activity` may wait for a write to one of their sockets to ride on
 * (900 ms): with the rooms' batch once per interval, it is at most 1.9 s behind the message. Just
 * under the interval, so the waiting frames go before the next batch, never in the same turn.
 */
const ACTIVITY_MAX_WAIT_MS = (LIMITS.awarenessIntervalMs * 9) / 10;

export interface UwsRoomPortDeps {
  connections: ReadonlyMap<string, Connection>;
  metrics: GatewayMetrics;
  /** The rooms the person's sockets here have joined. */
  roomsOf(userId: string): ReadonlySet<string>;
  clock: Clock;
}

/** Rooms reach the sockets through uWS topics: a broadcast is serialized once, fanned out natively. */
export class UwsRoomPort implements RoomPort {
  readonly #connections: ReadonlyMap<string, Connection>;
  readonly #metrics: GatewayMetrics;
  readonly #outbox: UserOutbox;
  #app: TemplatedApp | undefined;

  constructor(deps: UwsRoomPortDeps) {
    this.#connections = deps.connections;
    this.#metrics = deps.metrics;
    this.#outbox = new UserOutbox({
      publish: (userId, texts) => this.#publishActivity(userTopic(userId), texts),
      roomsOf: deps.roomsOf,
      clock: deps.clock,
      maxWaitMs: ACTIVITY_MAX_WAIT_MS,
    });
  }

  /** Until the app exists no socket does either, so nothing is lost before this. */
  attach(app: TemplatedApp): void {
    this.#app = app;
  }

  publishRoom(groupId: string, text: string): void {
    this.#outbox.roomPublished(groupId);
    this.publish(roomTopic(groupId), text);
  }

  publishRoomExcept(connId: string, groupId: string, text: string): void {
    this.#outbox.roomPublished(groupId);
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

  /**
   * A person's `group_activity` frames (the only frames rooms send people), in order, to their
   * topic: counted by their known type, never read, so uWS is the first to flatten the text.
   */
  #publishActivity(topic: string, texts: readonly string[]): void {
    const app = this.#app;
    const recipients = app?.numSubscribers(topic) ?? 0;
    if (app === undefined || recipients === 0) return;
    this.#metrics.framesOfTypeSent(GROUP_ACTIVITY_FRAME, recipients * texts.length);
    for (const text of texts) app.publish(topic, text, false);
  }

  /** Each person's frames together, in one write; see `UserOutbox` for when. */
  publishToUsers(deliveries: readonly UserDelivery[], mayWait = false): void {
    this.#outbox.add(deliveries, mayWait);
  }

  /** A room's frame for one socket (its `group_state`, an error): what waited for the person goes first. */
  sendTo(connId: string, text: string): void {
    const conn = this.#connections.get(connId);
    if (conn === undefined) return;
    this.#outbox.flush(conn.userId);
    conn.send(text);
  }

  /** The person has no socket here any more: nothing still waiting goes to their next one. */
  forgetUser(userId: string): void {
    this.#outbox.discard(userId);
  }

  subscribeRoom(connId: string, groupId: string): void {
    this.#connections.get(connId)?.subscribe(roomTopic(groupId));
  }

  /** The room took the connection out (leave, kick, group deleted, room given up). */
  unsubscribeRoom(connId: string, groupId: string): void {
    const conn = this.#connections.get(connId);
    if (conn === undefined) return;
    conn.unsubscribe(roomTopic(groupId));
    conn.leaveRoom(groupId);
  }
}
