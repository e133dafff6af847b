import { decodeServerFrame } from "@clofri/protocol";

/**
 * Who is in the rooms other nodes own, from their presence events, kept per reporting node: when
 * a room changes owner, the old owner's word is set apart (its people leave after the grace).
 */
export class RemotePresence {
  readonly #present = new Map<string, Map<string, Set<string>>>();

  presentIn(groupId: string, node: string): string[] {
    return [...(this.#present.get(groupId)?.get(node) ?? [])];
  }

  /** A presence event of a room owned elsewhere (by `node`): who is in it now. */
  apply(groupId: string, text: string, node: string): void {
    const decoded = decodeServerFrame(text);
    if (!decoded.ok) return;
    const frame = decoded.frame;
    if (frame.type === "user_joined") this.#set(groupId, node).add(frame.userId);
    else if (frame.type === "user_left")
      this.#present.get(groupId)?.get(node)?.delete(frame.userId);
  }

  /** Who `node` said is in its rooms, forgotten here (it died). */
  takeFrom(node: string): Map<string, Set<string>> {
    const taken = new Map<string, Set<string>>();
    for (const [groupId, byNode] of this.#present) {
      const userIds = byNode.get(node);
      if (userIds === undefined) continue;
      taken.set(groupId, userIds);
      byNode.delete(node);
      if (byNode.size === 0) this.#present.delete(groupId);
    }
    return taken;
  }

  /** What `node` says of who is in the rooms it owns (asked when it came up). */
  learn(node: string, rooms: Record<string, string[]>): void {
    for (const [groupId, userIds] of Object.entries(rooms)) {
      const set = this.#set(groupId, node);
      for (const userId of userIds) set.add(userId);
    }
  }

  #set(groupId: string, node: string): Set<string> {
    let byNode = this.#present.get(groupId);
    if (byNode === undefined) {
      byNode = new Map();
      this.#present.set(groupId, byNode);
    }
    let present = byNode.get(node);
    if (present === undefined) {
      present = new Set();
      byNode.set(node, present);
    }
    return present;
  }
}
