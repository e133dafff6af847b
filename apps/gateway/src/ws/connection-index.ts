import type { Connection } from "./connection.ts";

/**
 * Every open socket by session, and by person once confirmed: what revocation, the socket cap and
 * per-person deliveries look up. By session from the moment it opens, so a session that ends
 * while the socket is being confirmed still finds it.
 */
export class ConnectionIndex {
  readonly #bySession = new Map<string, Connection[]>();
  readonly #byUser = new Map<string, Connection[]>();

  /** A socket opened; its session is not confirmed yet. */
  add(conn: Connection): void {
    push(this.#bySession, conn.sessionId, conn);
  }

  /** The socket's session was confirmed: it is one of its person's sockets from now on. */
  identified(conn: Connection): void {
    push(this.#byUser, conn.userId, conn);
  }

  remove(conn: Connection): void {
    pull(this.#bySession, conn.sessionId, conn);
    if (conn.isIdentified) pull(this.#byUser, conn.userId, conn);
  }

  /** A copy: closing a connection while iterating takes it out of the index. */
  ofSession(sessionId: string): Connection[] {
    return [...(this.#bySession.get(sessionId) ?? [])];
  }

  /** A copy, as `ofSession`: the person's sockets, the ones still before their hello included. */
  ofUser(userId: string): Connection[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  /** The person's sockets past their hello: the ones that hear about changes. */
  admittedOf(userId: string): Connection[] {
    return (this.#byUser.get(userId) ?? []).filter((conn) => conn.isAdmitted);
  }

  /** The person's sockets past their hello (the ones the socket cap counts). */
  admittedCountOf(userId: string): number {
    let count = 0;
    for (const conn of this.#byUser.get(userId) ?? []) if (conn.isAdmitted) count++;
    return count;
  }

  /**
   * The rooms the person's sockets have joined (or are joining): a lone socket's own set, not a
   * copy (the common case, asked for every waiting `group_activity`), else a merged one.
   */
  roomsOf(userId: string): ReadonlySet<string> {
    const conns = this.#byUser.get(userId);
    if (conns === undefined) return NO_ROOMS;
    if (conns.length === 1) return (conns[0] as Connection).joinedRooms;
    const rooms = new Set<string>();
    for (const conn of conns) for (const groupId of conn.joinedRooms) rooms.add(groupId);
    return rooms;
  }

  /** Whether the person has a socket past its hello (whom presence fan-out reaches). */
  hasAdmitted(userId: string): boolean {
    return this.#byUser.get(userId)?.some((conn) => conn.isAdmitted) === true;
  }
}

const NO_ROOMS: ReadonlySet<string> = new Set();

// Arrays, not Sets: a person has a few sockets, and a Set's hash table would cost more than them.
function push(map: Map<string, Connection[]>, key: string, conn: Connection): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [conn]);
  else if (!list.includes(conn)) list.push(conn);
}

function pull(map: Map<string, Connection[]>, key: string, conn: Connection): void {
  const list = map.get(key);
  if (list === undefined) return;
  const index = list.indexOf(conn);
  if (index !== -1) list.splice(index, 1);
  if (list.length === 0) map.delete(key);
}
