import { decodeServerFrame, type ServerFrame } from "@clofri/protocol";
import type { RoomPort, UserDelivery } from "../room-port.ts";

export interface Publication {
  topic: string;
  frame: ServerFrame;
}

/**
 * A RoomPort that behaves like the uWS topics it stands for and records what each connection
 * would have received, so tests assert the frames a client sees. Every text must decode as a
 * valid server frame; those that do not are kept in `invalid`.
 */
export class RecordingPort implements RoomPort {
  /** Every broadcast, in order, one entry per publish (not per receiver). */
  readonly publications: Publication[] = [];
  readonly invalid: string[] = [];
  /** connId → groups whose presence topic it hears (it belongs to an online member). */
  readonly #presenceOf = new Map<string, Set<string>>();
  /** groupId → connections subscribed to its room topic. */
  readonly #roomSubscribers = new Map<string, Set<string>>();
  readonly #inboxes = new Map<string, ServerFrame[]>();

  /** A socket of a member of `groupIds` opened: it hears their presence topics. */
  connect(connId: string, groupIds: string[]): void {
    this.#presenceOf.set(connId, new Set(groupIds));
    this.#inboxes.set(connId, []);
  }

  /** The socket closed: it hears nothing more, as uWS drops its subscriptions. */
  close(connId: string): void {
    this.#presenceOf.delete(connId);
    for (const subscribers of this.#roomSubscribers.values()) subscribers.delete(connId);
  }

  isSubscribed(connId: string, groupId: string): boolean {
    return this.#roomSubscribers.get(groupId)?.has(connId) === true;
  }

  /** What the connection received since the last `take`. */
  take(connId: string): ServerFrame[] {
    const inbox = this.#inboxes.get(connId) ?? [];
    this.#inboxes.set(connId, []);
    return inbox;
  }

  /** Broadcasts of one frame type so far. */
  published(type: ServerFrame["type"]): ServerFrame[] {
    return this.publications.filter((p) => p.frame.type === type).map((p) => p.frame);
  }

  /** Recorded as a publication on `user:<id>`; no connection here stands for a user's sockets. */
  publishToUsers(deliveries: readonly UserDelivery[]): void {
    for (const { userId, text } of deliveries) this.#publish(`user:${userId}`, text, []);
  }

  publishRoom(groupId: string, text: string): void {
    this.#publish(`room:${groupId}`, text, this.#roomSubscribers.get(groupId) ?? []);
  }

  publishRoomExcept(connId: string, groupId: string, text: string): void {
    const audience = [...(this.#roomSubscribers.get(groupId) ?? [])].filter((id) => id !== connId);
    this.#publish(`room:${groupId}`, text, audience);
  }

  publishPresence(groupId: string, text: string): void {
    const audience: string[] = [];
    for (const [connId, groups] of this.#presenceOf) if (groups.has(groupId)) audience.push(connId);
    this.#publish(`presence:${groupId}`, text, audience);
  }

  sendTo(connId: string, text: string): void {
    const frame = this.#decode(text);
    if (frame !== undefined && this.#presenceOf.has(connId)) this.#deliver(connId, frame);
  }

  subscribeRoom(connId: string, groupId: string): void {
    if (!this.#presenceOf.has(connId)) return;
    let subscribers = this.#roomSubscribers.get(groupId);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#roomSubscribers.set(groupId, subscribers);
    }
    subscribers.add(connId);
  }

  unsubscribeRoom(connId: string, groupId: string): void {
    this.#roomSubscribers.get(groupId)?.delete(connId);
  }

  #publish(topic: string, text: string, audience: Iterable<string>): void {
    const frame = this.#decode(text);
    if (frame === undefined) return;
    this.publications.push({ topic, frame });
    for (const connId of audience) this.#deliver(connId, frame);
  }

  #deliver(connId: string, frame: ServerFrame): void {
    this.#inboxes.get(connId)?.push(frame);
  }

  // The exact wire object, after checking it against the protocol's schema.
  #decode(text: string): ServerFrame | undefined {
    if (!decodeServerFrame(text).ok) {
      this.invalid.push(text);
      return undefined;
    }
    return JSON.parse(text) as ServerFrame;
  }
}
