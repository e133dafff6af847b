import { randomUUID } from "node:crypto";
import type { Clock } from "@clofri/actors";
import type { NatsLink } from "./nats-link.ts";
import { SUBJECTS } from "./subjects.ts";

export interface Heartbeat {
  node: string;
  /** New at each start (and after each fence): a node that came back is another incarnation. */
  incarnation: string;
  /** What else nodes share at each beat (the presence tracker's version). */
  extra: Record<string, unknown>;
}

export interface MembershipOptions {
  link: NatsLink;
  node: string;
  clock: Clock;
  heartbeatMs: number;
  /** Without its own heartbeat back from NATS for this long, a node fences itself. */
  leaseMs: number;
  /** What this node adds to each heartbeat. */
  extra?: () => Record<string, unknown>;
  onHeartbeat?: (beat: Heartbeat) => void;
  onNodeUp?: (node: string) => void;
  onNodeDown?: (node: string) => void;
  /** This node's lease lapsed: it must stop acting as an owner (its rooms, its people). */
  onFenced?: () => void;
  /** Its heartbeats are seen again after a fence. */
  onUnfenced?: () => void;
}

interface Peer {
  incarnation: string;
  lastSeenMs: number;
}

/**
 * Who is in the cluster, by heartbeat. A node is alive while its heartbeats arrive; it is taken
 * for dead after its lease plus one beat, by which time it has fenced itself (a node that has not
 * seen its own heartbeat come back for a lease stops owning anything), so no two nodes act as the
 * owner of one thing at once.
 */
export class Membership {
  readonly #options: MembershipOptions;
  readonly #peers = new Map<string, Peer>();
  #incarnation = randomUUID();
  #lastOwnEchoMs: number;
  readonly #startedAtMs: number;
  #isFenced = false;
  #timer: unknown;
  #unsubscribers: Array<() => void> = [];

  constructor(options: MembershipOptions) {
    this.#options = options;
    this.#lastOwnEchoMs = options.clock.now();
    this.#startedAtMs = options.clock.now();
  }

  get node(): string {
    return this.#options.node;
  }

  get incarnation(): string {
    return this.#incarnation;
  }

  /** Live nodes, this one included (unless fenced), in a stable order. */
  get liveNodes(): string[] {
    const nodes = [...this.#peers.keys()];
    if (!this.#isFenced) nodes.push(this.#options.node);
    return nodes.sort();
  }

  get isFenced(): boolean {
    return this.#isFenced;
  }

  isAlive(node: string): boolean {
    return node === this.#options.node ? !this.#isFenced : this.#peers.has(node);
  }

  /**
   * Whether that incarnation of the node is alive. A node not heard from yet counts as alive
   * until this one has been up for a lease and a beat: by then it has heard every live node.
   */
  isIncarnationAlive(node: string, incarnation: string): boolean {
    if (node === this.#options.node) return !this.#isFenced && incarnation === this.#incarnation;
    const peer = this.#peers.get(node);
    if (peer !== undefined) return peer.incarnation === incarnation;
    const { clock, leaseMs, heartbeatMs } = this.#options;
    return clock.now() - this.#startedAtMs < leaseMs + heartbeatMs;
  }

  /**
   * Whether this node may act as an owner right now: checked before each owner's step, because
   * a process that was stopped (SIGSTOP) runs its backlog before any timer of its own.
   */
  holdsLease(): boolean {
    if (this.#isFenced) return false;
    if (this.#options.clock.now() - this.#lastOwnEchoMs <= this.#options.leaseMs) return true;
    this.#fence();
    return false;
  }

  start(): void {
    const { link } = this.#options;
    this.#unsubscribers.push(
      link.subscribe(SUBJECTS.heartbeat, (msg) => this.#onBeat(msg.json<Heartbeat>())),
      link.subscribe(SUBJECTS.leaving, (msg) => this.#forget(msg.string())),
    );
    this.#beat();
  }

  /** Leaving on purpose: the others forget this node at once. */
  stop(): void {
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.link.publish(SUBJECTS.leaving, this.#options.node);
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
  }

  #beat(): void {
    const { clock, link, node, extra } = this.#options;
    const beat: Heartbeat = { node, incarnation: this.#incarnation, extra: extra?.() ?? {} };
    link.publishNow(SUBJECTS.heartbeat, JSON.stringify(beat));
    this.#checkPeers();
    this.holdsLease();
    this.#timer = clock.setTimeout(() => this.#beat(), this.#options.heartbeatMs);
    clock.setKeepAlive?.(this.#timer, false);
  }

  #onBeat(beat: Heartbeat): void {
    const nowMs = this.#options.clock.now();
    if (beat.node === this.#options.node) {
      if (beat.incarnation !== this.#incarnation) return;
      this.#lastOwnEchoMs = nowMs;
      if (this.#isFenced) {
        this.#isFenced = false;
        this.#options.onUnfenced?.();
      }
      return;
    }
    const known = this.#peers.get(beat.node);
    this.#peers.set(beat.node, { incarnation: beat.incarnation, lastSeenMs: nowMs });
    if (known === undefined) this.#options.onNodeUp?.(beat.node);
    else if (known.incarnation !== beat.incarnation) {
      // Restarted between two beats: everything the old incarnation held is gone.
      this.#options.onNodeDown?.(beat.node);
      this.#options.onNodeUp?.(beat.node);
    }
    this.#options.onHeartbeat?.(beat);
  }

  #checkPeers(): void {
    const deadAfterMs = this.#options.leaseMs + this.#options.heartbeatMs;
    const nowMs = this.#options.clock.now();
    for (const [node, peer] of this.#peers) {
      if (nowMs - peer.lastSeenMs > deadAfterMs) this.#forget(node);
    }
  }

  #forget(node: string): void {
    if (node === this.#options.node || !this.#peers.delete(node)) return;
    this.#options.onNodeDown?.(node);
  }

  #fence(): void {
    this.#isFenced = true;
    // A new incarnation: what the old one owned must be claimed again, not assumed.
    this.#incarnation = randomUUID();
    this.#options.onFenced?.();
  }
}
