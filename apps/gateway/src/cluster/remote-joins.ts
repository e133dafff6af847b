import type { JoinRequest } from "../chat/room-messages.ts";
import type { Owner } from "./room-ownership.ts";

interface Joins {
  via: Owner;
  conns: Map<string, JoinRequest>;
}

/**
 * Sockets here joined to rooms owned elsewhere, with their join (to join again), and the owner
 * they joined through: when another takes the room, they join it there.
 */
export class RemoteJoins {
  readonly #rooms = new Map<string, Joins>();

  /** The socket joined the room through `via` (the room's owner, as the socket's join found it). */
  add(groupId: string, via: Owner, connId: string, request: JoinRequest): void {
    let joins = this.#rooms.get(groupId);
    if (joins === undefined) {
      joins = { via, conns: new Map() };
      this.#rooms.set(groupId, joins);
    }
    joins.via = via;
    joins.conns.set(connId, request);
  }

  /** Forgets the socket's join; false when it had none. */
  forget(groupId: string, connId: string): boolean {
    const joins = this.#rooms.get(groupId);
    if (joins === undefined || !joins.conns.delete(connId)) return false;
    if (joins.conns.size === 0) this.#rooms.delete(groupId);
    return true;
  }

  /** Forgets every join to the room, and returns them (to join again). */
  take(groupId: string): Map<string, JoinRequest> | undefined {
    const joins = this.#rooms.get(groupId);
    this.#rooms.delete(groupId);
    return joins?.conns;
  }

  /** The owner the room's sockets here joined through. */
  via(groupId: string): Owner | undefined {
    return this.#rooms.get(groupId)?.via;
  }

  /** Rooms with sockets here that joined them through `node`. */
  groupsThrough(node: string): string[] {
    const found: string[] = [];
    for (const [groupId, joins] of this.#rooms) if (joins.via.node === node) found.push(groupId);
    return found;
  }
}
