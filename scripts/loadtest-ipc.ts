// What the load tester's coordinator and its worker processes say to each other over IPC.
import type { HistogramJson } from "./loadtest-stats.ts";

export interface SimUserSpec {
  token: string;
  /** Groups this user joins after hello. */
  joinGroups: string[];
  /** The group it sends to, if it sends. */
  sendGroup: string | undefined;
  /** Which of the worker's endpoints it connects to (several `--url`s); 0 when omitted. */
  endpoint?: number;
}

/** One gateway's WebSocket address. */
export interface Endpoint {
  host: string;
  port: number;
  path: string;
}

export interface WorkerInit {
  type: "init";
  /** The gateways; each user connects to `endpoints[user.endpoint ?? 0]`. */
  endpoints: Endpoint[];
  localAddress: string | undefined;
  users: SimUserSpec[];
  /** Characters of filler after the timestamp in each message text. */
  textPadding: number;
  /** Ask for an `ack` on every send (what a real client does). */
  withRefs: boolean;
  /** Each room's sends spread over the period, not together (the worker's `spreadOverPeriod`). */
  spreadSends: boolean;
  /** Simultaneous connection attempts. */
  connectConcurrency: number;
}

export type ToWorker =
  | WorkerInit
  | { type: "connect" }
  /** Offered rate of this worker's share, messages per second; 0 stops sending. */
  | { type: "rate"; messagesPerSecond: number }
  /** Starts a measurement window: counters and histograms restart from zero. */
  | { type: "reset" }
  | { type: "snapshot" }
  /** From now on a dropped client reconnects with back-off and rejoins (the reconnect storm). */
  | { type: "arm_reconnect" }
  | { type: "storm_status" }
  /** Closes (1000) this share of the ready users and opens each again at once (the soak). */
  | { type: "reconnect"; fraction: number }
  | { type: "close" };

export interface ConnectReport {
  type: "connected";
  opened: number;
  /** Users whose hello arrived and whose every join was answered with group_state. */
  ready: number;
  failures: Record<string, number>;
  connectUs: HistogramJson;
  joinUs: HistogramJson;
}

export interface WindowReport {
  type: "snapshot";
  windowUs: number;
  sends: number;
  /** Sends that were due but skipped because the worker fell behind its schedule. */
  sendsBehind: number;
  deliveries: number;
  acks: number;
  otherFrames: number;
  latencyUs: HistogramJson;
  ackUs: HistogramJson;
  errors: Record<string, number>;
  closes: Record<string, number>;
  /** This worker's own CPU time in the window, µs. */
  cpuUs: number;
  /** This worker's event-loop delay in the window: how late it ran its reads and timers. */
  loopDelayP99Us: number;
  loopDelayMaxUs: number;
  rssBytes: number;
  openSockets: number;
}

export interface StormReport {
  type: "storm_status";
  total: number;
  /** Users dropped since arm_reconnect that came back (hello + every join answered). */
  back: number;
  dropped: number;
  /** Users that gave up (their session refused, 401/4001). */
  failed: number;
  attempts: number;
  attemptFailures: Record<string, number>;
  closes: Record<string, number>;
  firstDropUs: number;
  lastBackUs: number;
  backAfterDropUs: HistogramJson;
}

export interface ReconnectReport {
  type: "reconnected";
  /** Users asked to reconnect that are back: hello and every join answered. */
  back: number;
  /** Those that did not come back, by why (the close code, or the refused upgrade). */
  failures: Record<string, number>;
  /** Close → back, per user. */
  reconnectUs: HistogramJson;
}

export type FromWorker =
  | { type: "ready" }
  | ConnectReport
  | WindowReport
  | StormReport
  | ReconnectReport;
