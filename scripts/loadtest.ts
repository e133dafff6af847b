// Load tester: mints users and groups through the fixtures API, opens raw WebSocket connections
// from several worker processes, joins, sends at an offered rate, and reports latency,
// throughput, errors, and the CPU and memory of the server and of itself.
//
//   npm run loadtest -- --url ws://127.0.0.1:3000/ws --users 2000 --group-size 8 --rate 1000 \
//     --duration 10 [--server-pid P] [--json]
//
// Run with --help for every option. The admin token comes from --admin-token, ADMIN_TOKEN, or
// $DATA_DIR/admin-token (the dev token file).
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type ConnectResult, Coordinator, type WindowResult } from "./loadtest-coordinator.ts";
import { findAdminToken, type Layout, mintUsers } from "./loadtest-fixtures.ts";
import { machineLoad } from "./loadtest-stats.ts";

export interface LoadTestOptions {
  /** One gateway, or several: clients go round-robin over them (fixtures are minted on the first). */
  url: string | readonly string[];
  adminToken: string;
  layout: Layout;
  workers: number;
  useSourceAddresses: boolean;
  textPadding: number;
  withRefs: boolean;
  /** Each room's members send at their own moments of the period, not one after another. */
  spreadSends: boolean;
  connectConcurrency: number;
  /** The server process(es) to sample: several are summed (a cluster's gateways and NATS). */
  serverPid: number | readonly number[] | undefined;
  log: (line: string) => void;
}

export interface LoadTestReport {
  url: string | readonly string[];
  users: number;
  groupSize: number;
  groupsPerUser: number;
  workers: number;
  loadAverageBefore: number;
  connect: ConnectResult;
  windows: WindowResult[];
}

const USAGE = `npm run loadtest -- --url ws://HOST:PORT/ws --users N --group-size K --rate R --duration S
  [--url ws://…]         more gateways (a cluster): client i connects to url i mod n, so each
                         room's members are spread over them
  [--server-pid P]       sample the server's CPU and RSS from /proc/P (repeat it: summed)
  [--json]               print one JSON line on stdout (the human report goes to stderr)
  [--workers W]          load processes (default: 2, or one per 6,000 users)
  [--groups-per-user G]  memberships per user (default 1)
  [--join first|all|none]  what each user joins after hello (default first)
  [--warmup S]           seconds of sending before the window (default 2)
  [--padding C]          characters added to each message text (default 0)
  [--no-refs]            send without ref (no ack per message)
  [--spread]             spread each room's sends over the period (default: a room's members
                         send one after another, so each room's messages come in a burst)
  [--befriend group|none]
  [--no-source-addresses]  do not bind workers to 127.0.0.2, 127.0.0.3, …
  [--connect-concurrency C]  connection attempts in flight per worker (default 100)
  [--admin-token T]`;

/** Mints the users, forks the workers and connects them; the caller measures, then closes. */
export async function prepareLoad(options: LoadTestOptions): Promise<{
  coordinator: Coordinator;
  connect: ConnectResult;
}> {
  const first = typeof options.url === "string" ? options.url : options.url[0];
  if (first === undefined) throw new Error("expected at least one --url");
  const httpUrl = first.replace(/^ws/, "http");
  const users = await mintUsers(httpUrl, options.adminToken, options.layout, options.log);
  const coordinator = new Coordinator({
    url: options.url,
    users,
    workers: options.workers,
    useSourceAddresses: options.useSourceAddresses,
    textPadding: options.textPadding,
    withRefs: options.withRefs,
    spreadSends: options.spreadSends,
    connectConcurrency: options.connectConcurrency,
  });
  if (typeof options.serverPid === "number" || options.serverPid === undefined) {
    coordinator.serverPid = options.serverPid;
  } else {
    coordinator.serverPids = options.serverPid;
  }
  await coordinator.start();
  const connect = await coordinator.connect();
  options.log(formatConnect(connect));
  return { coordinator, connect };
}

/** Sends at `rate` for `warmupS`, then measures for `durationS`, then stops sending and drains. */
export async function measureAt(
  coordinator: Coordinator,
  rate: number,
  warmupS: number,
  durationS: number,
): Promise<WindowResult> {
  coordinator.setRate(rate);
  await sleep(warmupS * 1000);
  coordinator.beginWindow();
  await sleep(durationS * 1000);
  const result = await coordinator.endWindow();
  coordinator.setRate(0);
  await sleep(500);
  return result;
}

export function defaultWorkers(users: number): number {
  return Math.max(2, Math.ceil(users / 6_000));
}

export function formatConnect(c: ConnectResult): string {
  const failures =
    Object.keys(c.failures).length > 0 ? ` failures ${JSON.stringify(c.failures)}` : "";
  return [
    `connected ${c.opened}/${c.users} (ready ${c.ready}) in ${c.seconds} s${failures}${c.serverCpuMsPerConnection === undefined ? "" : `; server CPU ${c.serverCpuMsPerConnection} ms per connection`}`,
    `  connect ms (TCP + upgrade + hello): ${formatSummary(c.connectMs)}`,
    `  join ms (join → group_state, all of a user's joins): ${formatSummary(c.joinMs)}`,
  ].join("\n");
}

export function formatWindow(w: WindowResult): string {
  const lines = [
    `window ${w.seconds} s at offered ${w.offeredRate} msg/s: sent ${w.sendsPerSecond} msg/s (${w.sendsBehind} behind schedule), ${w.deliveriesPerSecond} deliveries/s, ${w.acks} acks, ${w.openSockets} sockets open`,
    `  send→receive ms: ${formatSummary(w.latencyMs)}`,
    `  send→ack ms:     ${formatSummary(w.ackMs)}`,
    `  errors ${JSON.stringify(w.errors)} closes ${JSON.stringify(w.closes)}`,
  ];
  if (process.env.BENCH_CPU_PROF_DIR !== undefined || process.env.BENCH_PERF !== undefined) {
    lines.push(`  monotonic µs (for the CPU profile): ${w.monotonicUs[0]} ${w.monotonicUs[1]}`);
  }
  if (w.server !== undefined) {
    lines.push(
      `  server pid ${w.server.pids.join(" + ")}: ${w.server.cpuCores} cores (${Math.round(w.server.systemShare * 100)} % in the kernel), ${w.server.cpuUsPerDelivery} µs CPU per delivery, RSS ${w.server.rssMiB} MiB`,
    );
  }
  const t = w.loadTester;
  lines.push(
    `  load tester itself: ${t.cpuCores} cores (busiest worker ${t.busiestWorkerCores}), ${t.cpuUsPerDelivery} µs CPU per delivery, event-loop delay p99 ${t.loopDelayP99Ms} ms / max ${t.loopDelayMaxMs} ms, RSS ${t.rssMiB} MiB`,
    `  machine: ${w.machine.busyCores} cores busy, load average ${w.machine.loadAverage1m}`,
  );
  lines.push(
    w.generatorWarnings.length === 0
      ? "  generator: not the bottleneck (no worker saturated or late, on schedule)"
      : `  generator WARNING: ${w.generatorWarnings.join("; ")}`,
  );
  return lines.join("\n");
}

function formatSummary(s: {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}): string {
  return `p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} max ${s.max} (n=${s.count})`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string", multiple: true },
      users: { type: "string" },
      "group-size": { type: "string", default: "8" },
      "groups-per-user": { type: "string", default: "1" },
      join: { type: "string", default: "first" },
      rate: { type: "string", default: "0" },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      "server-pid": { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      workers: { type: "string" },
      padding: { type: "string", default: "0" },
      "no-refs": { type: "boolean", default: false },
      spread: { type: "boolean", default: false },
      befriend: { type: "string", default: "group" },
      "no-source-addresses": { type: "boolean", default: false },
      "connect-concurrency": { type: "string", default: "100" },
      "admin-token": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || values.url === undefined || values.users === undefined) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const log = values.json
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => console.log(line);
  const number = (name: string, text: string | undefined): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < 0) {
      throw new Error(`--${name} expects a non-negative number, got ${text}`);
    }
    return value;
  };
  const users = number("users", values.users);
  const join = values.join;
  if (join !== "first" && join !== "all" && join !== "none") {
    throw new Error(`--join expects first, all or none, got ${join}`);
  }
  const befriend = values.befriend;
  if (befriend !== "group" && befriend !== "none") {
    throw new Error(`--befriend expects group or none, got ${befriend}`);
  }
  const rate = number("rate", values.rate);
  const options: LoadTestOptions = {
    url: values.url,
    adminToken: findAdminToken(values["admin-token"]),
    layout: {
      users,
      groupSize: number("group-size", values["group-size"]),
      groupsPerUser: number("groups-per-user", values["groups-per-user"]),
      join,
      isSending: rate > 0,
      befriend,
    },
    workers:
      values.workers === undefined ? defaultWorkers(users) : number("workers", values.workers),
    useSourceAddresses: !values["no-source-addresses"],
    textPadding: number("padding", values.padding),
    withRefs: !values["no-refs"],
    spreadSends: values.spread,
    connectConcurrency: number("connect-concurrency", values["connect-concurrency"]),
    serverPid: values["server-pid"]?.map((pid) => number("server-pid", pid)),
    log,
  };
  const loadAverageBefore = machineLoad().loadAverage1m;
  log(
    `load test: ${users} users in groups of ${options.layout.groupSize}, ${options.workers} workers, offered ${rate} msg/s for ${values.duration} s (load average ${loadAverageBefore})`,
  );
  const { coordinator, connect } = await prepareLoad(options);
  try {
    const window = await measureAt(
      coordinator,
      rate,
      number("warmup", values.warmup),
      number("duration", values.duration),
    );
    log(formatWindow(window));
    const report: LoadTestReport = {
      url: options.url,
      users,
      groupSize: options.layout.groupSize,
      groupsPerUser: options.layout.groupsPerUser,
      workers: options.workers,
      loadAverageBefore,
      connect,
      windows: [window],
    };
    if (values.json) console.log(JSON.stringify(report));
  } finally {
    await coordinator.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
