import type { ActorObserver } from "@clofri/actors";
import { CLOSE_CODES } from "@clofri/protocol";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RoomsEvent } from "../chat/room-events.ts";
import { FastHistogram, type HistogramSeries } from "./fast-histogram.ts";
import {
  CLIENT_FRAME_TYPES,
  ERROR_CODE_LABELS,
  ERROR_FRAME,
  errorCodeIndex,
  MESSAGE_FRAME,
  type ReceivedFrameLabel,
  receivedFrameIndex,
  SERVER_FRAME_TYPES,
  serverFrameIndex,
} from "./frame-types.ts";

/** What the gauges read at scrape time. */
export interface MetricSources {
  connections(): number;
  onlineUsers(): number;
  rooms(): number;
  /** Messages waiting in all room mailboxes, and in the fullest one. */
  roomMailboxes(): { messages: number; deepest: number };
  httpInFlight(): number;
}

export const RATE_LIMITS = [
  "rest",
  "magic_link",
  "friend_code",
  "ws_messages",
  "ws_frames",
] as const;
export type RateLimit = (typeof RATE_LIMITS)[number];

export const UPGRADE_REFUSALS = ["unauthorized", "forbidden", "unavailable"] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

const CLOSE_CODE_LABELS = [
  1000,
  CLOSE_CODES.goingAway,
  1005,
  1006,
  CLOSE_CODES.frameTooLarge,
  CLOSE_CODES.heartbeatTimeout,
  CLOSE_CODES.sessionEnded,
  CLOSE_CODES.policyViolation,
  CLOSE_CODES.slowConsumer,
] as const;

const PREFIX = "clofri_";
/** Actor handling times: tens of microseconds normally; the top buckets flag a stuck room. */
const HANDLING_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
];
/** Latencies clients feel: join, send → broadcast, HTTP. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The gateway's metrics, in a registry of its own (tests run several gateways in one process).
 * Anything counted per frame is a plain number in a typed array, copied into prom-client's
 * counters when scraped; gauges are read from their sources at scrape time only.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  #sources: MetricSources | undefined;

  readonly #framesReceived = new Float64Array(CLIENT_FRAME_TYPES.length);
  readonly #framesSent = new Float64Array(SERVER_FRAME_TYPES.length);
  readonly #errors = new Float64Array(ERROR_CODE_LABELS.length);
  readonly #closes = new Float64Array(CLOSE_CODE_LABELS.length + 1);
  readonly #rateLimited = new Float64Array(RATE_LIMITS.length);
  readonly #upgradesRefused = new Float64Array(UPGRADE_REFUSALS.length);
  #connectionsOpened = 0;
  #messagesSent = 0;
  #messageDeliveries = 0;
  #roomCrashes = 0;
  #roomRestarts = 0;
  #roomGiveUps = 0;

  readonly #joinLatency: HistogramSeries;
  readonly #sendLatency: HistogramSeries;
  readonly #roomHandling: HistogramSeries;
  readonly #httpRequests: Counter<"method" | "route" | "status">;
  readonly #httpDuration: FastHistogram;
  readonly #httpDurationSeries = new Map<string, HistogramSeries>();

  /** Room actors report their handling times here (`mailboxDepth` is sampled at scrape time). */
  readonly roomObserver: ActorObserver;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = this.registry;
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: registry, prefix: PREFIX });
    const sources = (): MetricSources | undefined => this.#sources;

    gauge(registry, "ws_connections", "Open WebSocket connections.", () =>
      sources()?.connections(),
    );
    gauge(
      registry,
      "online_users",
      "Users with an open connection, or within the presence grace.",
      () => sources()?.onlineUsers(),
    );
    gauge(registry, "rooms_active", "Room actors running, lingering ones included.", () =>
      sources()?.rooms(),
    );
    gauge(registry, "http_requests_in_flight", "HTTP requests received and not yet answered.", () =>
      sources()?.httpInFlight(),
    );
    new Gauge({
      name: `${PREFIX}actor_mailbox_messages`,
      help: "Messages waiting in actor mailboxes, sampled at scrape time.",
      labelNames: ["actor"],
      registers: [registry],
      collect() {
        this.set({ actor: "room" }, sources()?.roomMailboxes().messages ?? 0);
      },
    });
    new Gauge({
      name: `${PREFIX}actor_mailbox_depth_max`,
      help: "Messages waiting in the fullest actor mailbox, sampled at scrape time.",
      labelNames: ["actor"],
      registers: [registry],
      collect() {
        this.set({ actor: "room" }, sources()?.roomMailboxes().deepest ?? 0);
      },
    });

    counter(registry, "ws_connections_opened_total", "WebSocket connections opened.", [], () => [
      [{}, this.#connectionsOpened],
    ]);
    counter(
      registry,
      "ws_closes_total",
      "WebSocket connections closed, by close code (other: any code not listed).",
      ["code"],
      () => [
        ...CLOSE_CODE_LABELS.map((code, i) => [{ code: String(code) }, this.#closes[i]] as const),
        [{ code: "other" }, this.#closes[CLOSE_CODE_LABELS.length]],
      ],
    );
    counter(
      registry,
      "ws_upgrades_refused_total",
      "WebSocket upgrades refused: unauthorized (401), forbidden (403, foreign Origin), unavailable (503).",
      ["reason"],
      () => labelled("reason", UPGRADE_REFUSALS, this.#upgradesRefused),
    );
    counter(
      registry,
      "ws_frames_received_total",
      "Client frames received, by type (invalid: refused by the protocol; binary; oversize).",
      ["type"],
      () => labelled("type", CLIENT_FRAME_TYPES, this.#framesReceived),
    );
    counter(
      registry,
      "ws_frames_sent_total",
      "Server frames written to sockets, by type; a broadcast counts once per socket it reached.",
      ["type"],
      () => labelled("type", SERVER_FRAME_TYPES, this.#framesSent),
    );
    counter(
      registry,
      "ws_errors_total",
      "Error frames sent to clients, by error code.",
      ["code"],
      () => labelled("code", ERROR_CODE_LABELS, this.#errors),
    );
    counter(
      registry,
      "messages_sent_total",
      "Chat messages accepted and broadcast by rooms.",
      [],
      () => [[{}, this.#messagesSent]],
    );
    counter(
      registry,
      "message_deliveries_total",
      "Chat message frames delivered: each broadcast counts the sockets subscribed to its room.",
      [],
      () => [[{}, this.#messageDeliveries]],
    );
    counter(
      registry,
      "rate_limited_total",
      "Requests and frames refused by a rate limit, by limit.",
      ["limit"],
      () => labelled("limit", RATE_LIMITS, this.#rateLimited),
    );
    counter(
      registry,
      "actor_crashes_total",
      "Actors that threw while handling a message.",
      ["actor"],
      () => [[{ actor: "room" }, this.#roomCrashes]],
    );
    counter(
      registry,
      "actor_restarts_total",
      "Crashed actors restarted by their supervisor.",
      ["actor"],
      () => [[{ actor: "room" }, this.#roomRestarts]],
    );
    counter(
      registry,
      "actor_give_ups_total",
      "Actors stopped for good after crashing past their restart intensity.",
      ["actor"],
      () => [[{ actor: "room" }, this.#roomGiveUps]],
    );

    this.#roomHandling = new FastHistogram({
      name: `${PREFIX}actor_message_handling_seconds`,
      help: "Time an actor took to handle one message, from dequeue to result.",
      labelNames: ["actor"],
      buckets: HANDLING_BUCKETS,
      registry,
    }).series({ actor: "room" });
    this.#joinLatency = new FastHistogram({
      name: `${PREFIX}join_latency_seconds`,
      help: "From a join frame to its group_state, for joins that succeeded.",
      buckets: LATENCY_BUCKETS,
      registry,
    }).series();
    this.#sendLatency = new FastHistogram({
      name: `${PREFIX}send_broadcast_latency_seconds`,
      help: "From a decoded send frame to its room's broadcast (the ack follows in the same event-loop turn), for sends accepted.",
      buckets: LATENCY_BUCKETS,
      registry,
    }).series();
    this.#httpRequests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: "HTTP requests answered, by method, route pattern and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    });
    this.#httpDuration = new FastHistogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "Time to answer an HTTP request, by method and route pattern.",
      labelNames: ["method", "route"],
      buckets: LATENCY_BUCKETS,
      registry,
    });

    const handling = this.#roomHandling;
    this.roomObserver = {
      messageHandled(_label, durationMs) {
        handling.observe(durationMs / 1000);
      },
    };
  }

  /** The gauges' sources, known once the real-time layer exists. */
  setSources(sources: MetricSources): void {
    this.#sources = sources;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  // --- the hot path: array increments, no allocation ---------------------------------------

  frameReceived(label: ReceivedFrameLabel): void {
    add(this.#framesReceived, receivedFrameIndex(label), 1);
  }

  /** An encoded frame went to `recipients` sockets; returns its type's index. */
  framesSent(text: string, recipients: number): number {
    const index = serverFrameIndex(text);
    add(this.#framesSent, index, recipients);
    if (index === ERROR_FRAME) {
      add(this.#errors, errorCodeIndex(text), recipients);
    }
    return index;
  }

  /** A frame published to a topic that `recipients` sockets had subscribed to. */
  published(text: string, recipients: number): void {
    if (this.framesSent(text, recipients) !== MESSAGE_FRAME) return;
    this.#messagesSent++;
    this.#messageDeliveries += recipients;
  }

  joinLatency(seconds: number): void {
    this.#joinLatency.observe(seconds);
  }

  sendLatency(seconds: number): void {
    this.#sendLatency.observe(seconds);
  }

  // --- the rest ------------------------------------------------------------------------------

  connectionOpened(): void {
    this.#connectionsOpened++;
  }

  connectionClosed(code: number): void {
    const index = CLOSE_CODE_LABELS.indexOf(code as (typeof CLOSE_CODE_LABELS)[number]);
    add(this.#closes, index === -1 ? CLOSE_CODE_LABELS.length : index, 1);
  }

  upgradeRefused(reason: UpgradeRefusal): void {
    add(this.#upgradesRefused, UPGRADE_REFUSALS.indexOf(reason), 1);
  }

  rateLimited(limit: RateLimit): void {
    add(this.#rateLimited, RATE_LIMITS.indexOf(limit), 1);
  }

  roomEvent(event: RoomsEvent): void {
    if (event.type === "room_crashed") this.#roomCrashes++;
    else if (event.type === "room_restarted") this.#roomRestarts++;
    else if (event.type === "room_gave_up") this.#roomGiveUps++;
  }

  /** `route` is the pattern that matched (`/api/groups/:id`), never the raw path. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const knownMethod = HTTP_METHODS.has(method) ? method : "other";
    this.#httpRequests.inc({ method: knownMethod, route, status: String(status) });
    const key = `${knownMethod} ${route}`;
    let series = this.#httpDurationSeries.get(key);
    if (series === undefined) {
      series = this.#httpDuration.series({ method: knownMethod, route });
      this.#httpDurationSeries.set(key, series);
    }
    series.observe(seconds);
  }
}

function add(values: Float64Array, index: number, by: number): void {
  values[index] = (values[index] as number) + by;
}

type Samples = ReadonlyArray<readonly [Record<string, string>, number | undefined]>;

/** A counter whose values live elsewhere and are copied in when scraped. */
function counter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Samples,
): void {
  new Counter({
    name: `${PREFIX}${name}`,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value ?? 0);
    },
  });
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Gauge({
    name: `${PREFIX}${name}`,
    help,
    registers: [registry],
    collect() {
      this.set(read() ?? 0);
    },
  });
}

function labelled(name: string, labels: readonly string[], values: Float64Array): Samples {
  return labels.map((label, i) => [{ [name]: label }, values[i]] as const);
}
