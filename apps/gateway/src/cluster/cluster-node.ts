import type { Clock } from "@clofri/actors";
import type { SessionsEnded } from "../auth/sessions.ts";
import type { ClusterConfig } from "../config.ts";
import type { Logger } from "../obs/logger.ts";
import type { SocialEvent } from "../social/events.ts";
import { Membership } from "./membership.ts";
import { type LinkStatus, NatsLink } from "./nats-link.ts";
import { PresenceTracker, type PresenceTransition } from "./presence-tracker.ts";
import type { PresenceDelta, PresenceState } from "./presence-wire.ts";
import { RoomOwnership } from "./room-ownership.ts";
import { Rpc } from "./rpc.ts";
import { presenceStateSubject, SUBJECTS } from "./subjects.ts";

export interface ClusterNodeOptions {
  config: ClusterConfig;
  logger: Logger;
  clock: Clock;
  /** Wall clock for last-seen times. */
  now: () => number;
  /** A dead node's people stay online this long (PRESENCE_GRACE_MS). */
  graceMs: number;
}

export interface ClusterStatus {
  node: string;
  /** Live nodes, this one included. */
  nodes: string[];
  nats: LinkStatus;
}

export interface NodeEvents {
  onPresence?: (transition: PresenceTransition) => void;
  onSocial?: (event: SocialEvent) => void;
  onSessionsEnded?: (event: SessionsEnded) => void;
  onNodeUp?: (node: string) => void;
  onNodeDown?: (node: string) => void;
  onFenced?: () => void;
}

/**
 * This gateway as a member of the cluster: its NATS link, request/reply, membership with its
 * lease, the rooms' owners, and people's presence merged across nodes; it shares social events
 * and ended sessions with the other gateways. What the rooms do across nodes is wired in
 * `ClusterRoomsWiring`.
 */
export class ClusterNode {
  readonly node: string;
  readonly link: NatsLink;
  readonly rpc: Rpc;
  readonly membership: Membership;
  readonly ownership: RoomOwnership;
  readonly tracker: PresenceTracker;
  /** Heartbeats only: queued behind nothing, so a busy link's backlog never reads as a lost lease. */
  readonly #beatLink: NatsLink;
  readonly #events: NodeEvents;
  readonly #unsubscribers: Array<() => void> = [];
  readonly #logger: Logger;

  private constructor(parts: {
    node: string;
    link: NatsLink;
    rpc: Rpc;
    membership: Membership;
    ownership: RoomOwnership;
    tracker: PresenceTracker;
    beatLink: NatsLink;
    logger: Logger;
    events: NodeEvents;
  }) {
    this.#events = parts.events;
    this.node = parts.node;
    this.link = parts.link;
    this.rpc = parts.rpc;
    this.membership = parts.membership;
    this.ownership = parts.ownership;
    this.tracker = parts.tracker;
    this.#beatLink = parts.beatLink;
    this.#logger = parts.logger;
  }

  static async connect(options: ClusterNodeOptions): Promise<ClusterNode> {
    const { config, logger, clock } = options;
    const node = config.nodeId;
    const link = await NatsLink.open({
      url: config.natsUrl,
      node,
      logger,
      flushGapMs: config.flushGapMs,
    });
    // Heartbeats on a connection of their own: behind a flood of room events on the other, this
    // node's own beat would come back late and it would fence itself for being busy.
    const beatLink = await NatsLink.open({ url: config.natsUrl, node: `${node} beats`, logger });
    const rpc = new Rpc({ link, node, clock, timeoutMs: config.requestTimeoutMs });
    // Filled in by `start`; the parts below call through it from their first event on.
    const events: NodeEvents = {};
    const membership = new Membership({
      link: beatLink,
      node,
      clock,
      heartbeatMs: config.heartbeatMs,
      leaseMs: config.leaseMs,
      extra: () => ({ presence: tracker.version }),
      onHeartbeat: (beat) => {
        const version = Number(beat.extra.presence ?? 0);
        tracker.applyHeartbeat(beat.node, beat.incarnation, version);
      },
      onNodeUp: (other) => events.onNodeUp?.(other),
      onNodeDown: (other) => {
        tracker.nodeDown(other);
        events.onNodeDown?.(other);
      },
      onFenced: () => events.onFenced?.(),
    });
    const tracker = new PresenceTracker({
      node,
      incarnation: () => membership.incarnation,
      clock,
      graceMs: options.graceMs,
      now: options.now,
      // The tracker sends its deltas once per turn, from a setImmediate of its own.
      publish: (delta) => link.publishNow(SUBJECTS.presence, JSON.stringify(delta)),
      requestState: async (other) => {
        const answer = await rpc.ask(presenceStateSubject(other), "");
        return answer.ok ? (JSON.parse(answer.text) as PresenceState) : undefined;
      },
      onTransition: (transition) => events.onPresence?.(transition),
    });
    const ownership = await RoomOwnership.open({
      link,
      logger,
      isAlive: (other, incarnation) => membership.isIncarnationAlive(other, incarnation),
    });
    const parts = { node, link, rpc, membership, ownership, tracker, beatLink, logger, events };
    return new ClusterNode(parts);
  }

  /** Starts taking part: listeners first, then the heartbeat that tells the others. */
  start(events: NodeEvents): void {
    Object.assign(this.#events, events);
    const { link, rpc, tracker } = this;
    this.#unsubscribers.push(
      link.subscribe(SUBJECTS.presence, (msg) => tracker.applyDelta(msg.json<PresenceDelta>())),
      rpc.serve(presenceStateSubject(this.node), (request) =>
        request.reply(JSON.stringify(tracker.state())),
      ),
      link.subscribe(SUBJECTS.social, (msg) => {
        const shared = msg.json<{ from: string; event: SocialEvent }>();
        if (shared.from !== this.node) this.#events.onSocial?.(shared.event);
      }),
      link.subscribe(SUBJECTS.sessionsEnded, (msg) => {
        const shared = msg.json<{ from: string; event: SessionsEnded }>();
        if (shared.from !== this.node) this.#events.onSessionsEnded?.(shared.event);
      }),
      link.onStatus((status) => {
        if (status === "connected") void this.ownership.watch();
      }),
    );
    this.membership.start();
  }

  status(): ClusterStatus {
    return { node: this.node, nodes: this.membership.liveNodes, nats: this.link.status };
  }

  /** A social change committed here: the other gateways apply it to their own sockets. */
  shareSocial(event: SocialEvent): void {
    this.link.publish(SUBJECTS.social, JSON.stringify({ from: this.node, event }));
  }

  /** Sessions ended here: the other gateways close their sockets. */
  shareSessionsEnded(event: SessionsEnded): void {
    this.link.publish(SUBJECTS.sessionsEnded, JSON.stringify({ from: this.node, event }));
  }

  /** Leaving on purpose, once the rooms are handed over: the others forget this node at once. */
  async close(): Promise<void> {
    this.membership.stop();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.ownership.close();
    this.rpc.close();
    for (const link of [this.#beatLink, this.link]) {
      await link.flush().catch((error: unknown) => {
        this.#logger.warn({ event: "cluster_flush_failed", err: error });
      });
      await link.close();
    }
  }
}
