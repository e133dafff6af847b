import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import type { Logger } from "../obs/logger.ts";
import type { NatsLink } from "./nats-link.ts";
import { ROOMS_BUCKET } from "./subjects.ts";

/** Who owns a room: a node, in one incarnation, as of a revision of the bucket. */
export interface Owner {
  node: string;
  incarnation: string;
  revision: number;
}

export interface RoomOwnershipOptions {
  link: NatsLink;
  logger: Logger;
  /** Whether a node is alive in that incarnation (membership): a dead owner's rooms are taken. */
  isAlive(node: string, incarnation: string): boolean;
}

const MAX_CLAIM_ATTEMPTS = 4;

/**
 * Each room's owner in a JetStream KV bucket, decided by compare-and-set: `create` fails when a
 * key exists, `update` when its revision moved on. A watch keeps a local copy, so finding the
 * owner costs no round trip. Only a dead owner's room is taken over, and only from the revision
 * that named it, so two nodes never both win a room.
 */
export class RoomOwnership {
  readonly #kv: KV;
  readonly #options: RoomOwnershipOptions;
  readonly #owners = new Map<string, Owner>();
  readonly #listeners = new Set<(groupId: string, owner: Owner | undefined) => void>();
  #stopWatching: (() => void) | undefined;

  private constructor(kv: KV, options: RoomOwnershipOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  static async open(options: RoomOwnershipOptions): Promise<RoomOwnership> {
    // One copy of the newest value per key, on disk so that a NATS restart keeps it.
    const kv = await new Kvm(options.link.connection).create(ROOMS_BUCKET, { history: 1 });
    const ownership = new RoomOwnership(kv, options);
    await ownership.watch();
    return ownership;
  }

  /** The owner as last seen, without a round trip. */
  ownerOf(groupId: string): Owner | undefined {
    return this.#owners.get(groupId);
  }

  /** Tells `listener` every change of owner the watch sees; returns the unsubscribe. */
  onChange(listener: (groupId: string, owner: Owner | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Makes `me` the owner unless a live node owns the room; returns whoever owns it after the
   * attempt. Rejects when the bucket cannot be reached (NATS down).
   */
  async claim(groupId: string, me: Omit<Owner, "revision">): Promise<Owner> {
    const value = JSON.stringify({ node: me.node, incarnation: me.incarnation });
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#kv.get(groupId);
      const current = entry === null ? undefined : ownerFrom(entry);
      if (current !== undefined && this.#isHeldBy(current, me)) return current;
      if (current !== undefined && this.#options.isAlive(current.node, current.incarnation)) {
        return this.#remember(groupId, current);
      }
      try {
        // `create` also takes a deleted key; `update` replaces a dead owner from its revision.
        const revision =
          entry === null || current === undefined
            ? await this.#kv.create(groupId, value)
            : await this.#kv.update(groupId, value, entry.revision);
        return this.#remember(groupId, { ...me, revision });
      } catch (error) {
        // Another node won the race: read again and follow it.
        if (attempt === MAX_CLAIM_ATTEMPTS) throw error;
      }
    }
  }

  /** Hands the room to another node, from the revision that names this one. */
  async transfer(groupId: string, from: Owner, to: Omit<Owner, "revision">): Promise<Owner> {
    const value = JSON.stringify({ node: to.node, incarnation: to.incarnation });
    const revision = await this.#kv.update(groupId, value, from.revision);
    return this.#remember(groupId, { ...to, revision });
  }

  /** An owner this node learnt of first-hand (a hand-over it just made). */
  learn(groupId: string, owner: Owner): void {
    this.#remember(groupId, owner);
  }

  /** Gives the room up (it lingered out), unless it changed hands meanwhile. */
  async release(groupId: string, owner: Owner): Promise<void> {
    try {
      await this.#kv.delete(groupId, { previousSeq: owner.revision });
      if (this.#owners.get(groupId)?.revision === owner.revision) this.#forget(groupId);
    } catch (error) {
      this.#options.logger.info({ event: "cluster_room_release_skipped", groupId, err: error });
    }
  }

  /** (Re)starts the watch that keeps the local copy: at start and after NATS came back. */
  async watch(): Promise<void> {
    this.#stopWatching?.();
    const watcher = await this.#kv.watch();
    this.#stopWatching = () => watcher.stop();
    void (async () => {
      for await (const entry of watcher) {
        const owner = entry.operation === "PUT" ? ownerFrom(entry) : undefined;
        if (owner === undefined) this.#forget(entry.key);
        else this.#remember(entry.key, owner);
      }
    })();
  }

  close(): void {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  #isHeldBy(owner: Owner, me: Omit<Owner, "revision">): boolean {
    return owner.node === me.node && owner.incarnation === me.incarnation;
  }

  #remember(groupId: string, owner: Owner): Owner {
    const known = this.#owners.get(groupId);
    if (known !== undefined && known.revision > owner.revision) return known;
    this.#owners.set(groupId, owner);
    if (known?.revision !== owner.revision) {
      for (const listener of this.#listeners) listener(groupId, owner);
    }
    return owner;
  }

  #forget(groupId: string): void {
    if (!this.#owners.delete(groupId)) return;
    for (const listener of this.#listeners) listener(groupId, undefined);
  }
}

function ownerFrom(entry: KvEntry): Owner | undefined {
  if (entry.operation !== "PUT") return undefined;
  const { node, incarnation } = entry.json<{ node: string; incarnation: string }>();
  return { node, incarnation, revision: entry.revision };
}
