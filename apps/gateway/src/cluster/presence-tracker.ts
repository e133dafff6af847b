import type { Clock } from "@clofri/actors";
import { type LocalStatus, mergeStatus } from "../ws/person-status.ts";
import type { NodePresence, PresenceDelta, PresenceState } from "./presence-wire.ts";
import { SocketNodes } from "./socket-nodes.ts";

/** Last-seen times kept for people who went offline; each gateway writes its own to the database. */
const MAX_LAST_SEEN = 100_000;

export type PresenceTransition =
  | { type: "online"; userId: string }
  | { type: "offline"; userId: string; lastSeenMs: number }
  /** Online before and after, with another merged status (busy, idle, appear offline…). */
  | { type: "status"; userId: string };

export interface PresenceTrackerOptions {
  node: string;
  /** This node's current incarnation (membership's). */
  incarnation(): string;
  clock: Clock;
  /** A dead node's people stay online this long, as a dropped socket's person does. */
  graceMs: number;
  /** Wall clock for last-seen times. */
  now(): number;
  publish(delta: PresenceDelta): void;
  /** Asks a node for its whole set; undefined when it did not answer. */
  requestState(node: string): Promise<PresenceState | undefined>;
  /** A person came online, went offline, or changed status, cluster-wide. */
  onTransition(transition: PresenceTransition): void;
}

interface RemoteNode {
  incarnation: string;
  version: number;
  people: Map<string, NodePresence>;
  /** Set while the node is dead and its people are kept for the grace. */
  graceTimer: unknown;
  /** The version its latest heartbeat said it was at. */
  announced: number;
}

/**
 * Who is online across the cluster, merged like Phoenix Tracker: each node owns its own set and
 * shares it as versioned deltas; a person is online while any live node has them (a dead node's
 * people for the grace). Deltas of one tick go out together.
 */
export class PresenceTracker {
  readonly #options: PresenceTrackerOptions;
  readonly #local = new Map<string, NodePresence>();
  readonly #remote = new Map<string, RemoteNode>();
  readonly #socketNodes = new SocketNodes();
  #version = 0;
  #pending = new Map<string, NodePresence>();
  #isFlushQueued = false;
  /** When people who went offline were last seen, by the node that saw them last. */
  readonly #lastSeen = new Map<string, number>();

  constructor(options: PresenceTrackerOptions) {
    this.#options = options;
  }

  get version(): number {
    return this.#version;
  }

  isOnline(userId: string): boolean {
    if (this.#local.get(userId)?.[1] === 1) return true;
    for (const node of this.#remote.values()) if (node.people.get(userId)?.[1] === 1) return true;
    return false;
  }

  /** The person's status merged across the nodes where they are online; undefined: offline. */
  statusOf(userId: string): LocalStatus | undefined {
    let status: LocalStatus | undefined;
    const local = this.#local.get(userId);
    if (local?.[1] === 1) status = local[3] ?? "active";
    for (const node of this.#remote.values()) {
      const presence = node.people.get(userId);
      if (presence?.[1] === 1) status = mergeStatus(status, presence[3] ?? "active");
    }
    return status;
  }

  /** When the person, offline now, was last seen on any node; undefined when not known here. */
  lastSeen(userId: string): number | undefined {
    return this.#lastSeen.get(userId);
  }

  /** The person's sockets on other nodes (the socket cap counts them). */
  remoteSockets(userId: string): number {
    let sockets = 0;
    for (const node of this.#remote.values()) sockets += node.people.get(userId)?.[0] ?? 0;
    return sockets;
  }

  /** How many nodes the person has sockets on: per-person budgets are shared out among them. */
  nodesOf(userId: string): number {
    return this.#socketNodes.of(userId);
  }

  /**
   * The person's sockets here, whether they count as online here, or their status here changed;
   * `lastSeenMs` says when they left, once gone.
   */
  setLocal(
    userId: string,
    sockets: number,
    isOnline: boolean,
    lastSeenMs?: number,
    status: LocalStatus = "active",
  ): void {
    const isGone = !isOnline && sockets === 0;
    const presence: NodePresence =
      isGone && lastSeenMs !== undefined
        ? [0, 0, lastSeenMs]
        : [sockets, isOnline ? 1 : 0, null, status];
    const known = this.#local.get(userId);
    if (known?.[0] === sockets && known[1] === presence[1] && known[3] === presence[3]) return;
    if (known === undefined && !isOnline && sockets === 0) return;
    const wasOnline = this.statusOf(userId);
    this.#socketNodes.change(userId, known?.[0] ?? 0, presence[0]);
    if (!isGone) this.#local.set(userId, presence);
    else this.#local.delete(userId);
    this.#noteLastSeen(userId, presence);
    this.#pending.set(userId, presence);
    // Arriving here goes out at once: the client has its hello, and may close a tab on another
    // gateway next; that gateway's "gone" must not reach the others first (a friend would see
    // offline, online). Other changes wait for the end of the turn, together.
    if (known === undefined) this.#flush();
    else this.#queueFlush();
    this.#tell(userId, wasOnline);
  }

  /** The whole local set, to answer a sync request. */
  state(): PresenceState {
    return {
      node: this.#options.node,
      incarnation: this.#options.incarnation(),
      version: this.#version,
      people: [...this.#local],
    };
  }

  applyDelta(delta: PresenceDelta): void {
    if (delta.node === this.#options.node) return;
    const known = this.#remote.get(delta.node);
    const isNext =
      known !== undefined &&
      known.incarnation === delta.incarnation &&
      delta.version === known.version + 1;
    if (!isNext) {
      void this.#sync(delta.node);
      return;
    }
    known.version = delta.version;
    for (const [userId, presence] of delta.changes) this.#setRemote(known, userId, presence);
  }

  /**
   * A node's heartbeat says which version it is at: new to it, sync; behind it, sync only if
   * still behind what its previous beat said. Heartbeats travel on a connection of their own and
   * may pass the deltas on a busy one: a beat of lag is the deltas on their way.
   */
  applyHeartbeat(node: string, incarnation: string, version: number): void {
    if (node === this.#options.node) return;
    const known = this.#remote.get(node);
    if (known?.incarnation !== incarnation) {
      void this.#sync(node);
      return;
    }
    const announced = known.announced;
    known.announced = version;
    if (known.version < Math.min(announced, version)) void this.#sync(node);
  }

  /** The node is dead: its people stay for the grace, unless they show up elsewhere. */
  nodeDown(node: string): void {
    const known = this.#remote.get(node);
    if (known === undefined || known.graceTimer !== undefined) return;
    const { clock } = this.#options;
    known.graceTimer = clock.setTimeout(() => {
      if (this.#remote.get(node) !== known) return;
      const before = new Map([...known.people.keys()].map((id) => [id, this.statusOf(id)]));
      this.#remote.delete(node);
      this.#socketNodes.replace(known.people, new Map());
      for (const [userId, was] of before) this.#tell(userId, was);
    }, this.#options.graceMs);
    clock.setKeepAlive?.(known.graceTimer, false);
  }

  async #sync(node: string): Promise<void> {
    const state = await this.#options.requestState(node);
    if (state === undefined) return;
    const known = this.#remote.get(node);
    if (known?.incarnation === state.incarnation && known.version >= state.version) return;
    if (known?.graceTimer !== undefined) this.#options.clock.clearTimeout(known.graceTimer);
    const fresh: RemoteNode = {
      incarnation: state.incarnation,
      version: state.version,
      people: new Map(),
      graceTimer: undefined,
      announced: state.version,
    };
    const before = known?.people ?? new Map<string, NodePresence>();
    for (const [userId, presence] of state.people) fresh.people.set(userId, presence);
    const affected = new Set([...before.keys(), ...fresh.people.keys()]);
    const wasOnline = new Map([...affected].map((userId) => [userId, this.statusOf(userId)]));
    this.#remote.set(node, fresh);
    this.#socketNodes.replace(before, fresh.people);
    for (const [userId, was] of wasOnline) this.#tell(userId, was);
  }

  #setRemote(node: RemoteNode, userId: string, presence: NodePresence): void {
    const wasOnline = this.statusOf(userId);
    this.#socketNodes.change(userId, node.people.get(userId)?.[0] ?? 0, presence[0]);
    if (presence[0] > 0 || presence[1] === 1) node.people.set(userId, presence);
    else node.people.delete(userId);
    this.#noteLastSeen(userId, presence);
    this.#tell(userId, wasOnline);
  }

  #noteLastSeen(userId: string, [, , lastSeenMs]: NodePresence): void {
    if (typeof lastSeenMs !== "number") return;
    const latest = Math.max(lastSeenMs, this.#lastSeen.get(userId) ?? 0);
    this.#lastSeen.delete(userId);
    this.#lastSeen.set(userId, latest);
    // Oldest first: past the cap, the database's last_seen_at answers for them.
    if (this.#lastSeen.size > MAX_LAST_SEEN) {
      for (const oldest of this.#lastSeen.keys()) {
        this.#lastSeen.delete(oldest);
        break;
      }
    }
  }

  #tell(userId: string, before: LocalStatus | undefined): void {
    const after = this.statusOf(userId);
    if (after === before) return;
    if (before !== undefined && after !== undefined) {
      this.#options.onTransition({ type: "status", userId });
      return;
    }
    if (after !== undefined) {
      this.#lastSeen.delete(userId);
      this.#options.onTransition({ type: "online", userId });
      return;
    }
    // A dead node's people, and older nodes' deltas, say no time: then it is now.
    const lastSeenMs = this.#lastSeen.get(userId) ?? this.#options.now();
    this.#lastSeen.set(userId, lastSeenMs);
    this.#options.onTransition({ type: "offline", userId, lastSeenMs });
  }

  #queueFlush(): void {
    if (this.#isFlushQueued) return;
    this.#isFlushQueued = true;
    setImmediate(() => {
      this.#isFlushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#pending.size === 0) return;
    const changes = [...this.#pending];
    this.#pending = new Map();
    this.#version++;
    this.#options.publish({
      node: this.#options.node,
      incarnation: this.#options.incarnation(),
      version: this.#version,
      changes,
    });
  }
}
