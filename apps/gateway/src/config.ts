import { hostname } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS } from "@clofri/actors";
import { LIMITS } from "@clofri/protocol";
import * as v from "valibot";

/** Thrown for a bad environment variable; its message is the one line printed at start-up. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  port: number;
  host: string;
  /** Undefined until known when PORT=0 and APP_ORIGIN is unset: the gateway fills it in after listen. */
  appOrigin: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  /** The built web client (index.html and assets/), absolute. */
  webDistDir: string;
  adminToken: string | undefined;
  metricsToken: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  oauth: {
    google: OAuthCredentials | undefined;
    github: OAuthCredentials | undefined;
    discord: OAuthCredentials | undefined;
  };
  logLevel: LogLevel;
  trustProxy: boolean;
  allowUwsFallback: boolean;
  limits: {
    messagesPerMinute: number;
    messageBurstPerSecond: number;
    typingEventsPerSecond: number;
    /** Frames other than a message (join, leave, typing, heartbeat, refused ones), per person. */
    controlFramesPerSecond: number;
    controlFrameBurst: number;
    /** Refused frames in a minute, as a multiple of `messagesPerMinute`, that close with 4008. */
    abuseFactor: number;
    restRequestsPerMinute: number;
    magicLinksPer15Min: number;
    /** Longest message text, in code points after normalization (at most the protocol's 2,000). */
    maxTextLength: number;
    /** Rooms running at once; a join past it gets `room_unavailable`. */
    maxRooms: number;
    /** Past this many restarts of a room within `timing.roomRestartWindowMs`, it is given up. */
    roomMaxRestarts: number;
    maxBackpressureBytes: number;
    /** Sockets one person may hold at once; a newer one is closed with 4029. */
    maxSocketsPerUser: number;
  };
  timing: {
    heartbeatMs: number;
    idleAfterMs: number;
    heartbeatTimeoutMs: number;
    typingTimeoutMs: number;
    presenceGraceMs: number;
    roomLingerMs: number;
    wsIdleTimeoutSeconds: number;
    shutdownTimeoutMs: number;
    roomRestartWindowMs: number;
  };
  retention: {
    maxMessages: number;
    maxAgeMs: number;
  };
  /** Set in cluster mode (`NATS_URL`): several gateways form one service. */
  cluster: ClusterConfig | undefined;
}

export interface ClusterConfig {
  natsUrl: string;
  /** This gateway's name in the cluster: logs, metrics, `/health`, NATS subjects. */
  nodeId: string;
  heartbeatMs: number;
  /** Without NATS for this long a gateway fences itself; others take its rooms a beat later. */
  leaseMs: number;
  /** A request to another gateway's room fails with `room_unavailable` after this long. */
  requestTimeoutMs: number;
  /** At least this long between two writes of room traffic to NATS (0: one per turn). */
  flushGapMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** apps/web/dist, wherever the process was started from. */
const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Reads one variable through a schema; a failure names the variable, and echoes the value unless it is secret. */
function read<T>(
  env: Env,
  name: string,
  schema: v.GenericSchema<string, T>,
  fallback: T,
  { isSecret = false } = {},
): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const shown = isSecret ? "" : `, got ${JSON.stringify(raw)}`;
  throw new ConfigError(`${name} ${result.issues[0].message}${shown}`);
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return v.pipe(
    v.string(),
    v.regex(/^-?\d+$/, `must be a whole number from ${min} to ${max}`),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be a whole number from ${min} to ${max}`),
    v.maxValue(max, `must be a whole number from ${min} to ${max}`),
  );
}

function url(protocols: readonly string[]) {
  const expected = `must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL`;
  return v.pipe(
    v.string(),
    v.check((text) => URL.canParse(text) && protocols.includes(new URL(text).protocol), expected),
  );
}

const text = v.string();
const token = v.pipe(v.string(), v.minLength(16, "must be at least 16 characters long"));
const boolean = v.pipe(
  v.picklist(["true", "false", "1", "0"], 'must be "true" or "false"'),
  v.transform((value) => value === "true" || value === "1"),
);

function oauth(env: Env, provider: string): OAuthCredentials | undefined {
  const clientId = env[`${provider}_CLIENT_ID`];
  const clientSecret = env[`${provider}_CLIENT_SECRET`];
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    const missing = clientId ? `${provider}_CLIENT_SECRET` : `${provider}_CLIENT_ID`;
    throw new ConfigError(`${missing} must be set together with the other ${provider} credential`);
  }
  return { clientId, clientSecret };
}

/** Turns the environment into a typed config, or throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const port = read(env, "PORT", integer(0, 65535), 3000);
  const appOrigin = read(env, "APP_ORIGIN", url(["http:", "https:"]), undefined);
  return {
    port,
    host: read(env, "HOST", text, "127.0.0.1"),
    appOrigin: appOrigin
      ? new URL(appOrigin).origin
      : port === 0
        ? undefined
        : `http://localhost:${port}`,
    databaseUrl: read(env, "DATABASE_URL", url(["postgres:", "postgresql:"]), undefined, {
      isSecret: true,
    }),
    dataDir: read(env, "DATA_DIR", text, "./.data"),
    webDistDir: resolve(read(env, "WEB_DIST_DIR", text, DEFAULT_WEB_DIST_DIR)),
    adminToken: read(env, "ADMIN_TOKEN", token, undefined, { isSecret: true }),
    metricsToken: read(env, "METRICS_TOKEN", token, undefined, { isSecret: true }),
    smtpUrl: read(env, "SMTP_URL", url(["smtp:", "smtps:"]), undefined, { isSecret: true }),
    mailFrom: read(env, "MAIL_FROM", text, "Clofri <no-reply@localhost>"),
    oauth: {
      google: oauth(env, "GOOGLE"),
      github: oauth(env, "GITHUB"),
      discord: oauth(env, "DISCORD"),
    },
    logLevel: read(
      env,
      "LOG_LEVEL",
      v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`),
      "info",
    ),
    trustProxy: read(env, "TRUST_PROXY", boolean, false),
    allowUwsFallback: read(env, "ALLOW_UWS_FALLBACK", boolean, false),
    limits: readLimits(env),
    timing: readTiming(env),
    retention: {
      maxMessages: read(env, "RING_MAX_MESSAGES", integer(1, 10_000), LIMITS.maxMessages),
      maxAgeMs: read(env, "RING_MAX_AGE_MS", integer(1000), LIMITS.maxAgeMs),
    },
    cluster: clusterConfig(env),
  };
}

// Where the protocol has a default (LIMITS, announced in `hello`), it is the default here too.

function readLimits(env: Env): Config["limits"] {
  return {
    messagesPerMinute: read(env, "MESSAGES_PER_MINUTE", integer(1), LIMITS.messagesPerMinute),
    messageBurstPerSecond: read(
      env,
      "MESSAGE_BURST_PER_SECOND",
      integer(1),
      LIMITS.messageBurstPerSecond,
    ),
    typingEventsPerSecond: read(
      env,
      "TYPING_EVENTS_PER_SECOND",
      integer(1),
      LIMITS.typingEventsPerSecond,
    ),
    controlFramesPerSecond: read(env, "CONTROL_FRAMES_PER_SECOND", integer(1), 10),
    controlFrameBurst: read(env, "CONTROL_FRAME_BURST", integer(1), 30),
    abuseFactor: read(env, "ABUSE_FACTOR", integer(1), 10),
    restRequestsPerMinute: read(env, "REST_REQUESTS_PER_MINUTE", integer(1), 100),
    magicLinksPer15Min: read(env, "MAGIC_LINKS_PER_15_MIN", integer(1), 5),
    maxTextLength: read(
      env,
      "MAX_TEXT_LENGTH",
      integer(1, LIMITS.maxTextLength),
      LIMITS.maxTextLength,
    ),
    maxRooms: read(env, "MAX_ROOMS", integer(1), 100_000),
    roomMaxRestarts: read(env, "ROOM_MAX_RESTARTS", integer(0), DEFAULT_MAX_RESTARTS),
    maxBackpressureBytes: read(
      env,
      "MAX_BACKPRESSURE_BYTES",
      integer(1024),
      LIMITS.maxBufferedBytes,
    ),
    maxSocketsPerUser: read(env, "MAX_SOCKETS_PER_USER", integer(1, 10_000), 10),
  };
}

function readTiming(env: Env): Config["timing"] {
  return {
    heartbeatMs: read(env, "HEARTBEAT_MS", integer(100), LIMITS.heartbeatMs),
    idleAfterMs: read(env, "IDLE_AFTER_MS", integer(100), LIMITS.idleAfterMs),
    heartbeatTimeoutMs: read(env, "HEARTBEAT_TIMEOUT_MS", integer(100), LIMITS.heartbeatTimeoutMs),
    typingTimeoutMs: read(env, "TYPING_TIMEOUT_MS", integer(100), LIMITS.typingTimeoutMs),
    presenceGraceMs: read(env, "PRESENCE_GRACE_MS", integer(0), LIMITS.presenceGraceMs),
    roomLingerMs: read(env, "ROOM_LINGER_MS", integer(0), LIMITS.roomLingerMs),
    wsIdleTimeoutSeconds: read(env, "WS_IDLE_TIMEOUT_SECONDS", integer(8, 960), 32),
    shutdownTimeoutMs: read(env, "SHUTDOWN_TIMEOUT_MS", integer(100, 60_000), 10_000),
    roomRestartWindowMs: read(env, "ROOM_RESTART_WINDOW_MS", integer(1), DEFAULT_RESTART_WINDOW_MS),
  };
}

/** Node ids become NATS subject tokens. */
const nodeId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, - or _"),
);

/**
 * Between writes of room traffic to NATS. Every write wakes nats-server and then the gateways it
 * forwards to, and on these machines a wake-up costs more than the messages it carries: 4 ms
 * took (e) from 3.4× to 2.4× the single gateway's CPU per delivery (docs/BENCHMARKS.md).
 */
const DEFAULT_FLUSH_GAP_MS = 4;

function clusterConfig(env: Env): ClusterConfig | undefined {
  const natsUrl = read(env, "NATS_URL", url(["nats:", "tls:"]), undefined, { isSecret: true });
  if (natsUrl === undefined) return undefined;
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl === "") {
    throw new ConfigError(
      "NATS_URL needs DATABASE_URL: the gateways of a cluster share one Postgres (PGlite is one process's own)",
    );
  }
  const heartbeatMs = read(env, "CLUSTER_HEARTBEAT_MS", integer(50, 60_000), 1_000);
  const leaseMs = read(env, "CLUSTER_LEASE_MS", integer(100, 600_000), 5_000);
  if (leaseMs < 2 * heartbeatMs) {
    throw new ConfigError("CLUSTER_LEASE_MS must be at least twice CLUSTER_HEARTBEAT_MS");
  }
  return {
    natsUrl,
    nodeId: read(env, "NODE_ID", nodeId, defaultNodeId()),
    heartbeatMs,
    leaseMs,
    requestTimeoutMs: read(env, "CLUSTER_REQUEST_TIMEOUT_MS", integer(10, 60_000), 2_000),
    flushGapMs: read(env, "CLUSTER_FLUSH_GAP_MS", integer(0, 100), DEFAULT_FLUSH_GAP_MS),
  };
}

/** Host name and pid, made fit for a subject token. */
function defaultNodeId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}
