// One load-generator process: its share of the simulated users, each on a RawSocket from its own
// loopback source address. Driven by the coordinator (scripts/loadtest.ts) over IPC.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { backoffDelayMs } from "../apps/web/src/net/backoff.ts";
import { RECONNECT_BACKOFF } from "../apps/web/src/net/reconnect.ts";
import type {
  ConnectReport,
  Endpoint,
  FromWorker,
  ReconnectReport,
  SimUserSpec,
  StormReport,
  ToWorker,
  WindowReport,
  WorkerInit,
} from "./loadtest-ipc.ts";
import { RawSocket, type RawSocketHandlers } from "./loadtest-socket.ts";
import { Histogram, monotonicUs } from "./loadtest-stats.ts";

interface SimUser {
  readonly spec: SimUserSpec;
  readonly index: number;
  socket: RawSocket | undefined;
  connectStartUs: number;
  /** Joins sent and not yet answered. */
  joinsPending: number;
  joinStartUs: number;
  isReady: boolean;
  nextKey: number;
  /** Reconnect storm: dropped since arm_reconnect, back, or given up. */
  dropUs: number;
  tries: number;
  isGivenUp: boolean;
  /** The connect phase has counted this user (opened or failed). */
  isSettled: boolean;
  /** Closed by this worker to come back at once (the soak's reconnects); not the server's doing. */
  isLeaving: boolean;
  /** Asked to reconnect and not back yet (ready) nor failed. */
  isReconnecting: boolean;
  reconnectStartUs: number;
}

const PREFIX = 9; // `{"type":"`
const CH_A = 0x61;
const CH_E = 0x65;
const CH_M = 0x6d;
const CH_S = 0x73;
const CH_U = 0x75;
const CH_F = 0x66;
const TEXT_KEY = Buffer.from('"text":"');
const ACK_REF_AT = PREFIX + '"ack","ref":"'.length - 1;
const HEARTBEAT_EVERY_MS = 15_000;
const SEND_TICK_MS = 5;
/** A worker more than this far behind its send schedule skips the sends instead of bursting. */
const MAX_SEND_LAG_MS = 200;
const SESSION_ENDED = 4001;

let init: WorkerInit;
let users: SimUser[] = [];
let padding = "";
let isReconnectArmed = false;
let isClosing = false;

// Measurement window.
let windowStartUs = monotonicUs();
let cpuAtStart = process.cpuUsage();
let sends = 0;
let sendsBehind = 0;
let deliveries = 0;
let acks = 0;
let otherFrames = 0;
const latencyUs = new Histogram();
const ackUs = new Histogram();
const connectUs = new Histogram();
const joinUs = new Histogram();
const backAfterDropUs = new Histogram();
let errors: Record<string, number> = {};
let closes: Record<string, number> = {};
const connectFailures: Record<string, number> = {};
const attemptFailures: Record<string, number> = {};
const stormCloses: Record<string, number> = {};
let attempts = 0;
let firstDropUs = 0;
let lastBackUs = 0;
// Reconnects asked for (the soak): how many are still on their way, and how they ended.
let reconnectsPending = 0;
let reconnectsBack = 0;
const reconnectFailures: Record<string, number> = {};
const reconnectUs = new Histogram();
let onReconnectsDone: (() => void) | undefined;
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
loopDelay.enable();

// Sending schedule.
let ratePerSecond = 0;
let rateStartUs = 0;
let dueSent = 0;
let sendCursor = 0;
let senders: SimUser[] = [];
let sendTimer: NodeJS.Timeout | undefined;

// Connect phase.
let connectCursor = 0;
let inFlight = 0;
let onConnectPhaseDone: (() => void) | undefined;

function post(message: FromWorker): void {
  process.send?.(message);
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

const handlers: RawSocketHandlers = {
  onOpen() {},
  onText(socket, bytes, start, end) {
    const user = socket.data as SimUser;
    const kind = bytes[start + PREFIX];
    if (kind === CH_M && bytes[start + PREFIX + 1] === CH_E && bytes[start + PREFIX + 2] === CH_S) {
      onDelivery(bytes, start, end);
      return;
    }
    if (kind === CH_A && bytes[start + ACK_REF_AT] === CH_S) {
      acks++;
      ackUs.record(monotonicUs() - readDigits(bytes, start + ACK_REF_AT + 1, end));
      return;
    }
    if (kind === CH_U || kind === CH_F) {
      otherFrames++;
      return;
    }
    onControlFrame(user, JSON.parse(bytes.toString("utf8", start, end)) as ServerFrame);
  },
  onClose(socket, code) {
    const user = socket.data as SimUser;
    if (user.socket !== socket) return;
    user.socket = undefined;
    const why = socket.failure ?? `close_${code}`;
    if (user.isLeaving) {
      user.isLeaving = false;
      user.isReady = false;
      open(user);
      return;
    }
    if (!user.isSettled) {
      if (process.env.LOADTEST_DEBUG) {
        console.error(`user ${user.index}: ${why}, joins pending ${user.joinsPending}`);
      }
      // No second try: a socket the server drops is a failure the figures must show.
      user.isSettled = true;
      bump(connectFailures, why);
      settleConnect();
      return;
    }
    if (isClosing) return;
    bump(closes, String(code));
    if (user.isReconnecting) settleReconnect(user, why);
    if (!isReconnectArmed || user.isGivenUp) return;
    if (user.isReady) {
      // Dropped: from here until hello and every group_state it is away.
      user.dropUs = monotonicUs();
      if (firstDropUs === 0) firstDropUs = user.dropUs;
      bump(stormCloses, String(code));
    } else {
      bump(attemptFailures, why);
    }
    user.isReady = false;
    if (code === SESSION_ENDED || socket.refusedStatus === 401) {
      user.isGivenUp = true;
      return;
    }
    user.tries++;
    // The web client's own back-off, so the storm is what a crowd of browsers would do.
    setTimeout(
      () => {
        attempts++;
        open(user);
      },
      backoffDelayMs(user.tries, Math.random, RECONNECT_BACKOFF),
    );
  },
};

interface ServerFrame {
  type: string;
  ref?: string;
  code?: string;
}

function onDelivery(bytes: Buffer, start: number, end: number): void {
  deliveries++;
  const at = bytes.indexOf(TEXT_KEY, start);
  if (at < 0 || at >= end) return;
  latencyUs.record(monotonicUs() - readDigits(bytes, at + TEXT_KEY.length, end));
}

function readDigits(bytes: Buffer, from: number, end: number): number {
  let value = 0;
  for (let i = from; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

function onControlFrame(user: SimUser, frame: ServerFrame): void {
  switch (frame.type) {
    case "hello":
      if (!user.isSettled) connectUs.record(monotonicUs() - user.connectStartUs);
      user.tries = 0;
      startJoins(user);
      return;
    case "group_state":
      if (frame.ref === undefined || user.joinsPending === 0) return;
      user.joinsPending--;
      if (user.joinsPending === 0) {
        joinUs.record(monotonicUs() - user.joinStartUs);
        becomeReady(user);
      }
      return;
    case "error":
      bump(errors, frame.code ?? "unknown");
      if (frame.ref?.startsWith("j") && user.joinsPending > 0) {
        user.joinsPending--;
        if (user.joinsPending === 0) becomeReady(user);
      }
      return;
    default:
      otherFrames++;
  }
}

function startJoins(user: SimUser): void {
  const socket = user.socket;
  if (socket === undefined) return;
  const groups = user.spec.joinGroups;
  if (groups.length === 0) {
    becomeReady(user);
    return;
  }
  user.joinsPending = groups.length;
  user.joinStartUs = monotonicUs();
  for (const [i, group] of groups.entries()) {
    socket.sendText(`{"type":"join","group":"${group}","ref":"j${i}"}`);
  }
}

function becomeReady(user: SimUser): void {
  user.isReady = true;
  if (user.isReconnecting) settleReconnect(user, undefined);
  if (user.dropUs !== 0) {
    const nowUs = monotonicUs();
    backAfterDropUs.record(nowUs - user.dropUs);
    if (nowUs > lastBackUs) lastBackUs = nowUs;
  }
  if (!user.isSettled) {
    user.isSettled = true;
    settleConnect();
  }
}

function open(user: SimUser): void {
  user.connectStartUs = monotonicUs();
  const endpoint = init.endpoints[user.spec.endpoint ?? 0] as Endpoint;
  const socket = new RawSocket(
    {
      host: endpoint.host,
      port: endpoint.port,
      path: endpoint.path,
      localAddress: init.localAddress,
      headers: { Authorization: `Bearer ${user.spec.token}` },
    },
    handlers,
  );
  socket.data = user;
  user.socket = socket;
}

function settleConnect(): void {
  inFlight--;
  startConnects();
  if (inFlight === 0 && connectCursor >= users.length) onConnectPhaseDone?.();
}

function startConnects(): void {
  while (inFlight < init.connectConcurrency && connectCursor < users.length) {
    const user = users[connectCursor++] as SimUser;
    inFlight++;
    open(user);
  }
}

function connectAll(): Promise<void> {
  return new Promise((resolve) => {
    onConnectPhaseDone = resolve;
    if (users.length === 0) resolve();
    startConnects();
  });
}

function connectReport(): ConnectReport {
  let opened = 0;
  let ready = 0;
  for (const user of users) {
    if (user.socket?.isOpen) opened++;
    if (user.isReady) ready++;
  }
  return {
    type: "connected",
    opened,
    ready,
    failures: connectFailures,
    connectUs: connectUs.toJSON(),
    joinUs: joinUs.toJSON(),
  };
}

/**
 * Closes (1000) a random `fraction` of the ready users' sockets and opens each again at once, as
 * a person reloading the page would; resolves when every one is back (hello and joins) or failed.
 */
function reconnect(fraction: number): Promise<void> {
  const ready = users.filter((user) => user.isReady && user.socket !== undefined);
  const count = Math.round(fraction * users.length);
  for (let i = ready.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ready[i], ready[j]] = [ready[j] as SimUser, ready[i] as SimUser];
  }
  const chosen = ready.slice(0, count);
  reconnectsPending = chosen.length;
  reconnectsBack = 0;
  for (const key of Object.keys(reconnectFailures)) delete reconnectFailures[key];
  reconnectUs.reset();
  return new Promise((resolve) => {
    onReconnectsDone = resolve;
    if (chosen.length === 0) resolve();
    for (const user of chosen) {
      user.isLeaving = true;
      user.isReconnecting = true;
      user.reconnectStartUs = monotonicUs();
      user.socket?.close(1000);
    }
  });
}

function settleReconnect(user: SimUser, failure: string | undefined): void {
  user.isReconnecting = false;
  if (failure === undefined) {
    reconnectsBack++;
    reconnectUs.record(monotonicUs() - user.reconnectStartUs);
  } else {
    bump(reconnectFailures, failure);
  }
  reconnectsPending--;
  if (reconnectsPending === 0) onReconnectsDone?.();
}

function reconnectReport(): ReconnectReport {
  return {
    type: "reconnected",
    back: reconnectsBack,
    failures: reconnectFailures,
    reconnectUs: reconnectUs.toJSON(),
  };
}

function setRate(messagesPerSecond: number): void {
  ratePerSecond = messagesPerSecond;
  rateStartUs = monotonicUs();
  dueSent = 0;
  senders = users.filter((user) => user.spec.sendGroup !== undefined);
  if (init.spreadSends) senders = spreadOverPeriod(senders);
  if (sendTimer !== undefined) clearInterval(sendTimer);
  sendTimer = undefined;
  if (messagesPerSecond > 0 && senders.length > 0) {
    sendTimer = setInterval(sendDue, SEND_TICK_MS);
  }
}

/**
 * The senders reordered so that consecutive sends go to different rooms: the first sender of each
 * room, then the second of each, and so on. A room's members are minted one after another, so in
 * their own order a room's messages leave together, in one burst per period, which a gateway
 * writes to each member in one go; spread, each arrives on its own, as people typing would.
 */
function spreadOverPeriod(list: SimUser[]): SimUser[] {
  const seen = new Map<string, number>();
  const turns = list.map((user) => {
    const group = user.spec.sendGroup ?? "";
    const turn = seen.get(group) ?? 0;
    seen.set(group, turn + 1);
    return turn;
  });
  return list
    .map((user, i) => ({ user, turn: turns[i] ?? 0, i }))
    .sort((a, b) => a.turn - b.turn || a.i - b.i)
    .map(({ user }) => user);
}

/** Sends what the schedule says is due by now, round-robin over the senders. */
function sendDue(): void {
  const nowUs = monotonicUs();
  let due = Math.floor(((nowUs - rateStartUs) * ratePerSecond) / 1e6) - dueSent;
  const maxBurst = Math.ceil((ratePerSecond * MAX_SEND_LAG_MS) / 1000);
  if (due > maxBurst) {
    sendsBehind += due - maxBurst;
    dueSent += due - maxBurst;
    due = maxBurst;
  }
  for (let i = 0; i < due; i++) {
    dueSent++;
    const user = senders[sendCursor] as SimUser;
    sendCursor = (sendCursor + 1) % senders.length;
    const socket = user.socket;
    if (socket === undefined || !user.isReady) {
      sendsBehind++;
      continue;
    }
    const ts = Math.round(monotonicUs());
    const key = user.nextKey++;
    const ref = init.withRefs ? `,"ref":"s${ts}"` : "";
    socket.sendText(
      `{"type":"send","group":"${user.spec.sendGroup}","text":"${ts}${padding}","key":"k${key}"${ref}}`,
    );
    sends++;
  }
}

let heartbeatTick = 0;
function sendHeartbeats(): void {
  const slot = heartbeatTick++ % (HEARTBEAT_EVERY_MS / 1000);
  for (let i = slot; i < users.length; i += HEARTBEAT_EVERY_MS / 1000) {
    users[i]?.socket?.sendText('{"type":"heartbeat"}');
  }
}

function reset(): void {
  windowStartUs = monotonicUs();
  cpuAtStart = process.cpuUsage();
  sends = 0;
  sendsBehind = 0;
  deliveries = 0;
  acks = 0;
  otherFrames = 0;
  latencyUs.reset();
  ackUs.reset();
  errors = {};
  closes = {};
  loopDelay.reset();
}

function snapshot(): WindowReport {
  const cpu = process.cpuUsage(cpuAtStart);
  let openSockets = 0;
  for (const user of users) if (user.socket?.isOpen) openSockets++;
  return {
    type: "snapshot",
    windowUs: monotonicUs() - windowStartUs,
    sends,
    sendsBehind,
    deliveries,
    acks,
    otherFrames,
    latencyUs: latencyUs.toJSON(),
    ackUs: ackUs.toJSON(),
    errors,
    closes,
    cpuUs: cpu.user + cpu.system,
    // The histogram holds whole timer intervals: lateness is what exceeds the resolution.
    loopDelayP99Us: Math.max(0, loopDelay.percentile(99) / 1000 - LOOP_DELAY_RESOLUTION_MS * 1000),
    loopDelayMaxUs: Math.max(0, loopDelay.max / 1000 - LOOP_DELAY_RESOLUTION_MS * 1000),
    rssBytes: process.memoryUsage.rss(),
    openSockets,
  };
}

function stormStatus(): StormReport {
  let back = 0;
  let dropped = 0;
  let failed = 0;
  for (const user of users) {
    if (user.dropUs === 0) continue;
    dropped++;
    if (user.isReady) back++;
    if (user.isGivenUp) failed++;
  }
  return {
    type: "storm_status",
    total: users.length,
    back,
    dropped,
    failed,
    attempts,
    attemptFailures,
    closes: stormCloses,
    firstDropUs,
    lastBackUs,
    backAfterDropUs: backAfterDropUs.toJSON(),
  };
}

async function onCommand(command: ToWorker): Promise<void> {
  switch (command.type) {
    case "init":
      init = command;
      padding = command.textPadding > 0 ? ` ${"x".repeat(command.textPadding - 1)}` : "";
      users = command.users.map((spec, index) => ({
        spec,
        index,
        socket: undefined,
        connectStartUs: 0,
        joinsPending: 0,
        joinStartUs: 0,
        isReady: false,
        nextKey: 1,
        dropUs: 0,
        tries: 0,
        isGivenUp: false,
        isSettled: false,
        isLeaving: false,
        isReconnecting: false,
        reconnectStartUs: 0,
      }));
      setInterval(sendHeartbeats, 1000).unref();
      post({ type: "ready" });
      return;
    case "connect":
      await connectAll();
      post(connectReport());
      return;
    case "rate":
      setRate(command.messagesPerSecond);
      return;
    case "reset":
      reset();
      return;
    case "snapshot":
      post(snapshot());
      return;
    case "arm_reconnect":
      isReconnectArmed = true;
      return;
    case "storm_status":
      post(stormStatus());
      return;
    case "reconnect":
      await reconnect(command.fraction);
      post(reconnectReport());
      return;
    case "close":
      isClosing = true;
      setRate(0);
      for (const user of users) user.socket?.close(1000);
      // Time for the close frames to go out; whatever is still open then is dropped.
      setTimeout(() => process.exit(0), 500);
      return;
  }
}

process.on("message", (command: ToWorker) => {
  onCommand(command).catch((error: unknown) => {
    console.error("load worker failed:", error);
    process.exit(1);
  });
});
process.on("disconnect", () => process.exit(0));
