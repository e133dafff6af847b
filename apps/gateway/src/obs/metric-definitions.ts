import { CLOSE_CODES } from "@clofri/protocol";
import { CLIENT_FRAME_TYPES, ERROR_CODE_LABELS, SERVER_FRAME_TYPES } from "./frame-types.ts";

// Every metric the gateway exposes, as data: a name, its help, its labels and where its value is
// read at scrape time. metrics.ts registers them and feeds the tallies.

export const PREFIX = "clofri_";

export const RATE_LIMITS = [
  "rest",
  "magic_link",
  "friend_code",
  "ws_messages",
  "ws_frames",
] as const;
export type RateLimit = (typeof RATE_LIMITS)[number];

export const UPGRADE_REFUSALS = [
  "unauthorized",
  "forbidden",
  "unavailable",
  "too_many_sockets",
] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

export const CLOSE_CODE_LABELS: readonly number[] = [
  CLOSE_CODES.normal,
  CLOSE_CODES.goingAway,
  CLOSE_CODES.noStatus,
  CLOSE_CODES.connectionLost,
  CLOSE_CODES.frameTooLarge,
  CLOSE_CODES.heartbeatTimeout,
  CLOSE_CODES.sessionEnded,
  CLOSE_CODES.policyViolation,
  CLOSE_CODES.slowConsumer,
  CLOSE_CODES.tooManySockets,
];

/** What the gauges read at scrape time. */
export interface MetricSources {
  connections(): number;
  onlineUsers(): number;
  rooms(): number;
  /** Messages waiting in all room mailboxes, and in the fullest one. */
  roomMailboxes(): { messages: number; deepest: number };
  httpInFlight(): number;
}

/** What the hot path counts: plain numbers, copied into prom-client's counters when scraped. */
export class Tallies {
  readonly framesReceived = new Float64Array(CLIENT_FRAME_TYPES.length);
  readonly framesSent = new Float64Array(SERVER_FRAME_TYPES.length);
  readonly errors = new Float64Array(ERROR_CODE_LABELS.length);
  /** One slot per labelled close code, then "other". */
  readonly closes = new Float64Array(CLOSE_CODE_LABELS.length + 1);
  readonly rateLimited = new Float64Array(RATE_LIMITS.length);
  readonly upgradesRefused = new Float64Array(UPGRADE_REFUSALS.length);
  connectionsOpened = 0;
  messagesSent = 0;
  messageDeliveries = 0;
  roomCrashes = 0;
  roomRestarts = 0;
  roomGiveUps = 0;
}

type Samples = ReadonlyArray<readonly [Record<string, string>, number | undefined]>;

export interface Definition<TFrom> {
  name: string;
  help: string;
  labelNames: string[];
  read: (from: TFrom) => Samples;
}

const room = { actor: "room" };

/** Read from their sources at scrape time; 0 before the sources are known. */
export const GAUGES: ReadonlyArray<Definition<MetricSources | undefined>> = [
  {
    name: "ws_connections",
    help: "Open WebSocket connections.",
    labelNames: [],
    read: (s) => [[{}, s?.connections()]],
  },
  {
    name: "online_users",
    help: "Users with an open connection, or within the presence grace.",
    labelNames: [],
    read: (s) => [[{}, s?.onlineUsers()]],
  },
  {
    name: "rooms_active",
    help: "Room actors running, lingering ones included.",
    labelNames: [],
    read: (s) => [[{}, s?.rooms()]],
  },
  {
    name: "http_requests_in_flight",
    help: "HTTP requests received and not yet answered.",
    labelNames: [],
    read: (s) => [[{}, s?.httpInFlight()]],
  },
  {
    name: "actor_mailbox_messages",
    help: "Messages waiting in actor mailboxes, sampled at scrape time.",
    labelNames: ["actor"],
    read: (s) => [[room, s?.roomMailboxes().messages]],
  },
  {
    name: "actor_mailbox_depth_max",
    help: "Messages waiting in the fullest actor mailbox, sampled at scrape time.",
    labelNames: ["actor"],
    read: (s) => [[room, s?.roomMailboxes().deepest]],
  },
];

export const COUNTERS: ReadonlyArray<Definition<Tallies>> = [
  {
    name: "ws_connections_opened_total",
    help: "WebSocket connections opened.",
    labelNames: [],
    read: (t) => [[{}, t.connectionsOpened]],
  },
  {
    name: "ws_closes_total",
    help: "WebSocket connections closed, by close code (other: any code not listed).",
    labelNames: ["code"],
    read: (t) => labelled("code", [...CLOSE_CODE_LABELS.map(String), "other"], t.closes),
  },
  {
    name: "ws_upgrades_refused_total",
    help: "WebSocket sockets refused, at the upgrade or before their hello: unauthorized (401, or 4001 for a session found ended), forbidden (403, foreign Origin), unavailable (503, or 1001 when the database does not answer), too_many_sockets (4029).",
    labelNames: ["reason"],
    read: (t) => labelled("reason", UPGRADE_REFUSALS, t.upgradesRefused),
  },
  {
    name: "ws_frames_received_total",
    help: "Client frames received, by type (invalid: refused by the protocol; binary; oversize).",
    labelNames: ["type"],
    read: (t) => labelled("type", CLIENT_FRAME_TYPES, t.framesReceived),
  },
  {
    name: "ws_frames_sent_total",
    help: "Server frames written to sockets, by type; a broadcast counts once per socket it reached.",
    labelNames: ["type"],
    read: (t) => labelled("type", SERVER_FRAME_TYPES, t.framesSent),
  },
  {
    name: "ws_errors_total",
    help: "Error frames sent to clients, by error code.",
    labelNames: ["code"],
    read: (t) => labelled("code", ERROR_CODE_LABELS, t.errors),
  },
  {
    name: "messages_sent_total",
    help: "Chat messages accepted and broadcast by rooms.",
    labelNames: [],
    read: (t) => [[{}, t.messagesSent]],
  },
  {
    name: "message_deliveries_total",
    help: "Chat message frames delivered: each broadcast counts the sockets subscribed to its room.",
    labelNames: [],
    read: (t) => [[{}, t.messageDeliveries]],
  },
  {
    name: "rate_limited_total",
    help: "Requests and frames refused by a rate limit, by limit.",
    labelNames: ["limit"],
    read: (t) => labelled("limit", RATE_LIMITS, t.rateLimited),
  },
  {
    name: "actor_crashes_total",
    help: "Actors that threw while handling a message.",
    labelNames: ["actor"],
    read: (t) => [[room, t.roomCrashes]],
  },
  {
    name: "actor_restarts_total",
    help: "Crashed actors restarted by their supervisor.",
    labelNames: ["actor"],
    read: (t) => [[room, t.roomRestarts]],
  },
  {
    name: "actor_give_ups_total",
    help: "Actors stopped for good after crashing past their restart intensity.",
    labelNames: ["actor"],
    read: (t) => [[room, t.roomGiveUps]],
  },
];

/** Actor handling times: tens of microseconds normally; the top buckets flag a stuck room. */
const HANDLING_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
];
/** Latencies clients feel: join, send → broadcast, HTTP. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export interface HistogramDefinition {
  name: string;
  help: string;
  labelNames: string[];
  buckets: number[];
}

export const HISTOGRAMS = {
  roomHandling: {
    name: "actor_message_handling_seconds",
    help: "Time an actor took to handle one message, from dequeue to result.",
    labelNames: ["actor"],
    buckets: HANDLING_BUCKETS,
  },
  joinLatency: {
    name: "join_latency_seconds",
    help: "From a join frame to its group_state, for joins that succeeded.",
    labelNames: [],
    buckets: LATENCY_BUCKETS,
  },
  sendLatency: {
    name: "send_broadcast_latency_seconds",
    help: "From a decoded send frame to its room's broadcast (the ack follows in the same event-loop turn), for sends accepted.",
    labelNames: [],
    buckets: LATENCY_BUCKETS,
  },
  httpDuration: {
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route pattern.",
    labelNames: ["method", "route"],
    buckets: LATENCY_BUCKETS,
  },
} satisfies Record<string, HistogramDefinition>;

export const HTTP_REQUESTS = {
  name: "http_requests_total",
  help: "HTTP requests answered, by method, route pattern and status.",
  labelNames: ["method", "route", "status"] as const,
};

function labelled(name: string, labels: readonly string[], values: Float64Array): Samples {
  return labels.map((label, i) => [{ [name]: label }, values[i]] as const);
}
