import type { NodePresence } from "./presence-wire.ts";

/**
 * How many nodes each person has sockets on, kept as each node's count of their sockets changes:
 * the per-person rate limit asks for every client frame, so it must not visit every node.
 */
export class SocketNodes {
  readonly #counts = new Map<string, number>();

  of(userId: string): number {
    return this.#counts.get(userId) ?? 0;
  }

  /** The person's sockets on one node went from `before` to `after`. */
  change(userId: string, before: number, after: number): void {
    const isThere = after > 0;
    if (before > 0 === isThere) return;
    const count = (this.#counts.get(userId) ?? 0) + (isThere ? 1 : -1);
    if (count > 0) this.#counts.set(userId, count);
    else this.#counts.delete(userId);
  }

  /** One node's people replaced: a full set fetched, or none (it died). */
  replace(
    before: ReadonlyMap<string, NodePresence>,
    after: ReadonlyMap<string, NodePresence>,
  ): void {
    for (const [userId, [sockets]] of before) this.change(userId, sockets, 0);
    for (const [userId, [sockets]] of after) this.change(userId, 0, sockets);
  }
}
