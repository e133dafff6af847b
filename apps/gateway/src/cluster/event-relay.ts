import type { RoomPort, UserDelivery } from "../chat/room-port.ts";
import type { Logger } from "../obs/logger.ts";
import { type Delivery, decodeGroupEvent, decodeRoomEvent } from "./envelope.ts";
import type { NatsLink } from "./nats-link.ts";
import { ALL_GROUP_EVENTS, deliverySubject, roomEventsSubject, SUBJECTS } from "./subjects.ts";

export interface EventRelayDeps {
  link: NatsLink;
  node: string;
  /** This node's sockets, on uWS topics. */
  local: RoomPort;
  logger: Logger;
  /** A group presence event from another node (the room's who-is-here, kept by the router). */
  onGroupEvent(groupId: string, text: string, node: string): void;
  /** Events of the room were lost (a jump in its sequence): its sockets here need it afresh. */
  onGap(groupId: string): void;
  /** Seconds from the owner's publish to this relay (metrics). */
  onLag?: (seconds: number) => void;
  /** A reply that rode on a room event (to a send this node forwarded), after the event. */
  onReply?: (replyTo: string, text: string) => void;
}

interface Relayed {
  /** Local sockets joined to the room through another node. */
  connIds: Set<string>;
  /** Sends forwarded from here to the room's owner, waiting for their answer. */
  sendsAway: number;
  unsubscribe: () => void;
  /** The last event relayed: its publisher and sequence. */
  from: string;
  seq: number;
}

/**
 * Brings other nodes' room events to this node's sockets: a room subject is subscribed while a
 * socket here is joined to a room owned elsewhere, and each event is published once to the local
 * uWS topic (the text as the owner serialised it). Also takes the owners' direct deliveries to
 * this node's sockets, and every group's presence events.
 */
export class EventRelay {
  readonly #deps: EventRelayDeps;
  readonly #rooms = new Map<string, Relayed>();
  readonly #unsubscribers: Array<() => void> = [];

  constructor(deps: EventRelayDeps) {
    this.#deps = deps;
  }

  start(): void {
    const { link, node } = this.#deps;
    this.#unsubscribers.push(
      link.subscribe(deliverySubject(node), (msg) => this.#onDelivery(msg.json<Delivery>())),
      link.subscribe(ALL_GROUP_EVENTS, (msg) => this.#onGroupEvent(msg.subject, msg.string())),
      link.subscribe(SUBJECTS.userDeliveries, (msg) => {
        const event = msg.json<{ node: string; deliveries: UserDelivery[]; mayWait?: boolean }>();
        if (event.node !== node) {
          this.#deps.local.publishToUsers(event.deliveries, event.mayWait === true);
        }
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    for (const relayed of this.#rooms.values()) relayed.unsubscribe();
    this.#rooms.clear();
  }

  /** Groups with sockets here joined through another node. */
  groups(): string[] {
    return [...this.#rooms.keys()];
  }

  /** A socket here is joining a room owned elsewhere: listen to the room before asking. */
  retain(groupId: string, connId: string): void {
    this.#relayedOf(groupId).connIds.add(connId);
  }

  release(groupId: string, connId: string): void {
    if (this.#rooms.get(groupId)?.connIds.delete(connId)) this.#dropIfUnused(groupId);
  }

  /** A send goes from here to the room's owner: listen to the room until its answer. */
  holdForSend(groupId: string): void {
    this.#relayedOf(groupId).sendsAway++;
  }

  /** The send's answer came (on a room event, or on its own). */
  releaseSend(groupId: string): void {
    const relayed = this.#rooms.get(groupId);
    if (relayed === undefined || relayed.sendsAway === 0) return;
    relayed.sendsAway--;
    this.#dropIfUnused(groupId);
  }

  #relayedOf(groupId: string): Relayed {
    let relayed = this.#rooms.get(groupId);
    if (relayed === undefined) {
      const subject = roomEventsSubject(groupId);
      const unsubscribe = this.#deps.link.subscribe(subject, (msg) =>
        this.#onRoomEvent(groupId, msg.string()),
      );
      relayed = { connIds: new Set(), sendsAway: 0, unsubscribe, from: "", seq: 0 };
      this.#rooms.set(groupId, relayed);
    }
    return relayed;
  }

  #dropIfUnused(groupId: string): void {
    const relayed = this.#rooms.get(groupId);
    if (relayed === undefined || relayed.connIds.size > 0 || relayed.sendsAway > 0) return;
    relayed.unsubscribe();
    this.#rooms.delete(groupId);
  }

  #onRoomEvent(groupId: string, data: string): void {
    const event = decodeRoomEvent(data);
    const relayed = this.#rooms.get(groupId);
    if (event === undefined || relayed === undefined || event.node === this.#deps.node) return;
    const from = `${event.node} ${event.incarnation}`;
    const isGap = relayed.from === from && event.seq !== relayed.seq + 1;
    relayed.from = from;
    relayed.seq = event.seq;
    this.#deps.onLag?.(Math.max(0, Date.now() - event.sentAtMs) / 1000);
    const { local } = this.#deps;
    if (event.except !== "" && relayed.connIds.has(event.except)) {
      local.publishRoomExcept(event.except, groupId, event.text);
    } else {
      local.publishRoom(groupId, event.text);
    }
    if (event.reply !== undefined) this.#deps.onReply?.(event.reply.to, event.reply.text);
    if (isGap) this.#deps.onGap(groupId);
  }

  #onDelivery(delivery: Delivery): void {
    const { local } = this.#deps;
    if ("send" in delivery) local.sendTo(delivery.connId, delivery.send);
    else if ("subscribe" in delivery) {
      local.subscribeRoom(delivery.connId, delivery.subscribe);
      const relayed = this.#rooms.get(delivery.subscribe);
      if (relayed !== undefined && relayed.from !== delivery.from) {
        relayed.from = delivery.from;
        relayed.seq = delivery.seq;
      }
    } else {
      local.unsubscribeRoom(delivery.connId, delivery.unsubscribe);
      this.release(delivery.unsubscribe, delivery.connId);
    }
  }

  #onGroupEvent(subject: string, data: string): void {
    const event = decodeGroupEvent(data);
    if (event === undefined || event.node === this.#deps.node) return;
    const groupId = subject.slice(subject.lastIndexOf(".") + 1);
    this.#deps.local.publishPresence(groupId, event.text);
    this.#deps.onGroupEvent(groupId, event.text, event.node);
  }
}
