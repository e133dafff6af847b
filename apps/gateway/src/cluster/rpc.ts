import type { Clock } from "@clofri/actors";
import type { Msg } from "@nats-io/transport-node";
import type { NatsLink } from "./nats-link.ts";
import { replyInbox } from "./subjects.ts";

type RpcFailure = "no_responders" | "timeout" | "disconnected";
export type RpcAnswer = { ok: true; text: string } | { ok: false; error: RpcFailure };

export interface RpcRequest {
  readonly text: string;
  /** Where the answer goes; undefined for a cast. */
  readonly replyTo: string | undefined;
  /** Answers the request; a request without a reply subject (a cast) ignores it. */
  reply(text: string): void;
}

export interface RpcOptions {
  link: NatsLink;
  node: string;
  /** Runs the timeouts; tests pass a ManualClock. */
  clock: Clock;
  timeoutMs: number;
}

/** NATS answers a request nobody subscribes to with an empty message of this status. */
const NO_RESPONDERS = 503;

interface Pending {
  dueAtMs: number;
  onAnswer: (answer: RpcAnswer) => void;
}

/**
 * Request/reply between nodes over one reply subscription per node, matched by an id in the
 * reply subject: `nc.request()` costs a subscription and a promise per call (~26 µs here), this
 * a map entry (~5 µs). Every request is answered exactly once: the reply, `no_responders` at once
 * when nobody serves the subject, or `timeout` after `timeoutMs`.
 */
export class Rpc {
  readonly #options: RpcOptions;
  /** `<inbox>.`: each request's reply subject is this and the request's id. */
  readonly #replyPrefix: string;
  readonly #pending = new Map<string, Pending>();
  readonly #unsubscribers: Array<() => void> = [];
  #nextId = 0;
  #timer: unknown;

  constructor(options: RpcOptions) {
    this.#options = options;
    this.#replyPrefix = `${replyInbox(options.node)}.`;
    this.#unsubscribers.push(
      options.link.subscribe(`${this.#replyPrefix}*`, (msg) => this.#onReply(msg)),
    );
  }

  /** Requests awaiting their answer (metrics, tests). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  request(subject: string, text: string, onAnswer: (answer: RpcAnswer) => void): void {
    if (this.#options.link.status === "closed") {
      onAnswer({ ok: false, error: "disconnected" });
      return;
    }
    const id = (this.#nextId++).toString(36);
    const dueAtMs = this.#options.clock.now() + this.#options.timeoutMs;
    this.#pending.set(id, { dueAtMs, onAnswer });
    if (this.#timer === undefined) this.#arm(this.#options.timeoutMs);
    this.#options.link.publish(subject, text, this.#replyPrefix + id);
  }

  /** `request` as a promise, for the paths that are not hot. */
  ask(subject: string, text: string): Promise<RpcAnswer> {
    return new Promise((resolve) => this.request(subject, text, resolve));
  }

  /** A message that wants no answer. */
  cast(subject: string, text: string): void {
    this.#options.link.publish(subject, text);
  }

  /** Serves requests on `subject`; returns the unsubscribe. */
  serve(subject: string, handler: (request: RpcRequest) => void): () => void {
    const { link } = this.#options;
    return link.subscribe(subject, (msg) => {
      const replyTo = msg.reply;
      // A method, not an arrow: under tsx (keepNames) an arrow here is named on every request.
      handler({
        text: msg.string(),
        replyTo,
        reply(text) {
          if (replyTo !== undefined) link.publish(replyTo, text);
        },
      });
    });
  }

  /** A reply that came some other way (riding on a room event): true when it was one of ours. */
  answer(replyTo: string, text: string): boolean {
    if (!replyTo.startsWith(this.#replyPrefix)) return false;
    const id = replyTo.slice(this.#replyPrefix.length);
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    pending.onAnswer({ ok: true, text });
    return true;
  }

  /** Answers every pending request `disconnected` and stops listening. */
  close(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { onAnswer } of pending) onAnswer({ ok: false, error: "disconnected" });
  }

  #onReply(msg: Msg): void {
    const id = msg.subject.slice(this.#replyPrefix.length);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if (msg.headers?.code === NO_RESPONDERS && msg.data.length === 0) {
      pending.onAnswer({ ok: false, error: "no_responders" });
    } else {
      pending.onAnswer({ ok: true, text: msg.string() });
    }
  }

  /** One timer for all: every request has the same timeout, so the oldest is due first. */
  #arm(delayMs: number): void {
    const { clock } = this.#options;
    this.#timer = clock.setTimeout(() => this.#expire(), Math.max(0, delayMs));
    clock.setKeepAlive?.(this.#timer, false);
  }

  #expire(): void {
    this.#timer = undefined;
    const nowMs = this.#options.clock.now();
    for (const [id, pending] of this.#pending) {
      if (pending.dueAtMs > nowMs) {
        this.#arm(pending.dueAtMs - nowMs);
        return;
      }
      this.#pending.delete(id);
      pending.onAnswer({ ok: false, error: "timeout" });
    }
  }
}
