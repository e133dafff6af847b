import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../obs/logger.ts";

export type LinkStatus = "connected" | "reconnecting" | "closed";

export interface NatsLinkOptions {
  url: string;
  /** This node's id: the connection's name on the server. */
  node: string;
  logger: Logger;
  /** At least this long between two writes of `publish`es (0, the default: one per turn). */
  flushGapMs?: number;
}

/** How long between reconnect attempts; NATS restarts are short, and rooms wait on them. */
const RECONNECT_WAIT_MS = 250;

/** A publish waiting for the end of the event-loop turn: subject, data, reply subject. */
type Outgoing = [subject: string, data: string | Uint8Array, reply: string | undefined];

/**
 * The node's one connection to NATS, reconnecting for ever; callbacks keep arrival order (an async
 * iterator need not). A turn's publishes leave in one write, a busy link's once per `flushGapMs`
 * (docs/DECISIONS.md, "Publishes of one event-loop turn leave together" and the item after it).
 */
export class NatsLink {
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #listeners = new Set<(status: LinkStatus) => void>();
  #status: LinkStatus = "connected";
  #reconnects = 0;
  #outgoing: Outgoing[] = [];
  #flushImmediate: NodeJS.Immediate | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  /** When publishes last left (performance.now()). */
  #lastSentMs = Number.NEGATIVE_INFINITY;
  readonly #flushGapMs: number;

  private constructor(nc: NatsConnection, logger: Logger, flushGapMs: number) {
    this.#nc = nc;
    this.#logger = logger;
    this.#flushGapMs = flushGapMs;
    void this.#watchStatus();
  }

  static async open(options: NatsLinkOptions): Promise<NatsLink> {
    const nc = await connect({
      servers: options.url,
      name: options.node,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      waitOnFirstConnect: false,
    });
    return new NatsLink(nc, options.logger, options.flushGapMs ?? 0);
  }

  get connection(): NatsConnection {
    return this.#nc;
  }

  get status(): LinkStatus {
    return this.#status;
  }

  /** Times the connection came back after a loss. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Calls `listener` on every status change; returns the unsubscribe. */
  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Fire and forget; while reconnecting the client buffers it (at-most-once either way). */
  publish(subject: string, data: string | Uint8Array, reply?: string): void {
    if (this.#status === "closed") return;
    this.#outgoing.push([subject, data, reply]);
    if (this.#flushImmediate !== undefined || this.#flushTimer !== undefined) return;
    const waitMs = this.#lastSentMs + this.#flushGapMs - performance.now();
    if (waitMs <= 0) this.#flushImmediate = setImmediate(this.#sendOutgoing);
    else this.#flushTimer = setTimeout(this.#sendOutgoing, waitMs);
  }

  /**
   * Sends what is queued, then this, at once: for a caller that already sends once per turn
   * from a `setImmediate` of its own (the presence tracker), where `publish` would wait for the
   * next turn's.
   */
  publishNow(subject: string, data: string | Uint8Array): void {
    if (this.#status === "closed") return;
    this.#outgoing.push([subject, data, undefined]);
    this.#sendOutgoing();
  }

  /**
   * Rewrites the latest publish to `subject` still waiting to leave; false when there is none
   * (it left already) or `amend` declines (returns undefined).
   */
  amendQueued(subject: string, amend: (data: string) => string | undefined): boolean {
    for (let i = this.#outgoing.length - 1; i >= 0; i--) {
      const queued = this.#outgoing[i];
      if (queued === undefined || queued[0] !== subject) continue;
      if (typeof queued[1] !== "string") return false;
      const amended = amend(queued[1]);
      if (amended === undefined) return false;
      queued[1] = amended;
      return true;
    }
    return false;
  }

  /** A subscription whose callback runs for each message in arrival order; returns the unsubscribe. */
  subscribe(subject: string, onMessage: (msg: Msg) => void): () => void {
    const subscription = this.#nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) {
          this.#logger.warn({ event: "nats_subscription_error", subject, err: error });
          return;
        }
        onMessage(msg);
      },
    });
    return () => subscription.unsubscribe();
  }

  /** Waits until the server has seen everything published so far. */
  flush(): Promise<void> {
    this.#sendOutgoing();
    return this.#nc.flush();
  }

  async close(): Promise<void> {
    if (this.#status === "closed") return;
    this.#sendOutgoing();
    this.#setStatus("closed");
    await this.#nc.drain().catch((error: unknown) => {
      this.#logger.warn({ event: "nats_drain_failed", err: error });
    });
  }

  readonly #sendOutgoing = (): void => {
    clearImmediate(this.#flushImmediate);
    clearTimeout(this.#flushTimer);
    this.#flushImmediate = undefined;
    this.#flushTimer = undefined;
    const outgoing = this.#outgoing;
    if (outgoing.length === 0) return;
    this.#lastSentMs = performance.now();
    this.#outgoing = [];
    for (const [subject, data, reply] of outgoing) {
      try {
        this.#nc.publish(subject, data, reply === undefined ? undefined : { reply });
      } catch (error) {
        // Closed meanwhile: at-most-once, as a publish to a lost connection would be.
        this.#logger.warn({ event: "nats_publish_failed", subject, err: error });
      }
    }
  };

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      switch (status.type) {
        case "disconnect":
          this.#logger.warn({ event: "nats_disconnected" });
          this.#setStatus("reconnecting");
          break;
        case "reconnect":
          this.#reconnects++;
          this.#logger.info({ event: "nats_reconnected" });
          this.#setStatus("connected");
          break;
        case "close":
          this.#setStatus("closed");
          return;
        default:
          break;
      }
    }
  }

  #setStatus(status: LinkStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#listeners) listener(status);
  }
}
