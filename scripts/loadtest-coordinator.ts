// The load tester's coordinator: forks the worker processes, hands each its share of the users
// and a loopback source address of its own, drives the phases, and merges what they measure.
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type {
  ConnectReport,
  Endpoint,
  FromWorker,
  ReconnectReport,
  SimUserSpec,
  StormReport,
  ToWorker,
  WindowReport,
} from "./loadtest-ipc.ts";
import {
  Histogram,
  machineLoad,
  monotonicUs,
  type ProcSample,
  type Summary,
  sampleMachineCpu,
  sampleProcess,
} from "./loadtest-stats.ts";

export interface CoordinatorOptions {
  /**
   * One gateway, or several: user i goes to url i mod n (a room's members spread), unless its
   * spec names an `endpoint`.
   */
  url: string | readonly string[];
  users: SimUserSpec[];
  workers: number;
  /** Give worker w the source address 127.0.0.(2 + w); false: let the kernel choose. */
  useSourceAddresses: boolean;
  /** Worker w binds 127.0.0.(2 + offset + w); another coordinator next to this one shifts it. */
  sourceAddressOffset?: number;
  textPadding: number;
  withRefs: boolean;
  spreadSends: boolean;
  connectConcurrency: number;
}

export interface ConnectResult {
  users: number;
  /** Server CPU over the connect phase (upgrade, hello, joins) per connection opened. */
  serverCpuMsPerConnection: number | undefined;
  opened: number;
  ready: number;
  failures: Record<string, number>;
  seconds: number;
  connectMs: Summary;
  joinMs: Summary;
}

export interface WindowResult {
  seconds: number;
  offeredRate: number;
  sends: number;
  sendsPerSecond: number;
  sendsBehind: number;
  deliveries: number;
  deliveriesPerSecond: number;
  acks: number;
  otherFrames: number;
  latencyMs: Summary;
  ackMs: Summary;
  errors: Record<string, number>;
  closes: Record<string, number>;
  openSockets: number;
  server: ServerCost | undefined;
  loadTester: {
    /** Cores: CPU seconds per second over the window, every worker and the coordinator. */
    cpuCores: number;
    busiestWorkerCores: number;
    cpuUsPerDelivery: number;
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
    rssMiB: number;
  };
  machine: { busyCores: number; loadAverage1m: number };
  /** Where the window began and ended on CLOCK_MONOTONIC, µs: to cut a V8 CPU profile to it. */
  monotonicUs: [number, number];
  /** Why the figures may say more about the generator than about the server, if they might. */
  generatorWarnings: string[];
}

export interface ServerCost {
  pid: number;
  /** Every server process sampled (their CPU and RSS are summed); `pid` is the first. */
  pids: number[];
  cpuCores: number;
  /** Share of the server's CPU spent in the kernel. */
  systemShare: number;
  cpuUsPerDelivery: number;
  rssMiB: number;
}

const MIB = 1024 * 1024;
const WORKER_PATH = fileURLToPath(new URL("./loadtest-worker.ts", import.meta.url));
/** A worker this busy, or this late, is what limits the figures. */
const WORKER_SATURATED_CORES = 0.85;
const WORKER_LATE_MS = 20;

export class Coordinator {
  readonly #options: CoordinatorOptions;
  readonly #children: ChildProcess[] = [];
  readonly #waiting = new Map<ChildProcess, Array<(message: FromWorker) => void>>();
  #serverPids: number[] = [];
  #windowStart:
    | {
        server: ProcSample | undefined;
        workers: ProcSample[];
        coordinatorCpu: NodeJS.CpuUsage;
        machine: ReturnType<typeof sampleMachineCpu>;
        offeredRate: number;
        atUs: number;
      }
    | undefined;
  #offeredRate = 0;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
  }

  set serverPid(pid: number | undefined) {
    this.#serverPids = pid === undefined ? [] : [pid];
  }

  /** Several server processes (gateways of a cluster, nats-server): their costs are summed. */
  set serverPids(pids: readonly number[]) {
    this.#serverPids = [...pids];
  }

  /** Forks the workers and gives each its users. */
  async start(): Promise<void> {
    const { url, users, workers } = this.#options;
    const endpoints = (typeof url === "string" ? [url] : url).map(endpointOf);
    for (let w = 0; w < workers; w++) {
      const child = fork(WORKER_PATH, [], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (message: FromWorker) => this.#waiting.get(child)?.shift()?.(message));
      child.on("exit", (code) => {
        if (code !== 0 && code !== null) console.error(`load worker ${w} exited with ${code}`);
      });
      this.#children.push(child);
      this.#waiting.set(child, []);
      const share = users
        .map((user, i) =>
          endpoints.length > 1 && user.endpoint === undefined
            ? { ...user, endpoint: i % endpoints.length }
            : user,
        )
        .filter((_, i) => Math.floor((i * workers) / users.length) === w);
      const ready = this.#next(child);
      this.#send(child, {
        type: "init",
        endpoints,
        localAddress: this.#options.useSourceAddresses
          ? `127.0.0.${2 + (this.#options.sourceAddressOffset ?? 0) + w}`
          : undefined,
        users: share,
        textPadding: this.#options.textPadding,
        withRefs: this.#options.withRefs,
        spreadSends: this.#options.spreadSends,
        connectConcurrency: this.#options.connectConcurrency,
      });
      await ready;
    }
  }

  /** Opens every connection and joins; resolves when each user is ready or has failed. */
  async connect(): Promise<ConnectResult> {
    const started = performance.now();
    const serverBefore = this.#sampleServer();
    const reports = (await this.#ask({ type: "connect" })) as ConnectReport[];
    const connectUs = new Histogram();
    const joinUs = new Histogram();
    const failures: Record<string, number> = {};
    let opened = 0;
    let ready = 0;
    for (const report of reports) {
      connectUs.merge(report.connectUs);
      joinUs.merge(report.joinUs);
      opened += report.opened;
      ready += report.ready;
      addCounts(failures, report.failures);
    }
    const serverAfter = this.#sampleServer();
    const serverCpuUs =
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : serverAfter.cpuUs - serverBefore.cpuUs;
    return {
      users: this.#options.users.length,
      serverCpuMsPerConnection:
        serverCpuUs === undefined ? undefined : round(serverCpuUs / 1000 / (opened || 1)),
      opened,
      ready,
      failures,
      seconds: round((performance.now() - started) / 1000),
      connectMs: connectUs.summary(1000),
      joinMs: joinUs.summary(1000),
    };
  }

  /** Offered total rate, messages per second, shared by the workers by their number of users. */
  setRate(messagesPerSecond: number): void {
    this.#offeredRate = messagesPerSecond;
    const total = this.#options.users.length;
    for (const [w, child] of this.#children.entries()) {
      const share = this.#options.users.filter(
        (_, i) => Math.floor((i * this.#children.length) / total) === w,
      ).length;
      this.#send(child, { type: "rate", messagesPerSecond: (messagesPerSecond * share) / total });
    }
  }

  /** Starts a measurement window (server and generator CPU sampled now). */
  beginWindow(): void {
    this.#windowStart = {
      server: this.#sampleServer(),
      workers: this.#children.map((child) => sampleProcess(child.pid as number)),
      coordinatorCpu: process.cpuUsage(),
      machine: sampleMachineCpu(),
      offeredRate: this.#offeredRate,
      atUs: monotonicUs(),
    };
    for (const child of this.#children) this.#send(child, { type: "reset" });
  }

  async endWindow(): Promise<WindowResult> {
    const start = this.#windowStart;
    if (start === undefined) throw new Error("endWindow without beginWindow");
    const server = this.#sampleServer();
    const workers = this.#children.map((child) => sampleProcess(child.pid as number));
    const coordinatorCpu = process.cpuUsage(start.coordinatorCpu);
    const machine = sampleMachineCpu();
    const endUs = monotonicUs();
    const reports = (await this.#ask({ type: "snapshot" })) as WindowReport[];

    const latencyUs = new Histogram();
    const ackUs = new Histogram();
    const errors: Record<string, number> = {};
    const closes: Record<string, number> = {};
    let sends = 0;
    let sendsBehind = 0;
    let deliveries = 0;
    let acks = 0;
    let otherFrames = 0;
    let openSockets = 0;
    let loopDelayP99Us = 0;
    let loopDelayMaxUs = 0;
    let rssBytes = 0;
    let windowUs = 0;
    for (const report of reports) {
      latencyUs.merge(report.latencyUs);
      ackUs.merge(report.ackUs);
      addCounts(errors, report.errors);
      addCounts(closes, report.closes);
      sends += report.sends;
      sendsBehind += report.sendsBehind;
      deliveries += report.deliveries;
      acks += report.acks;
      otherFrames += report.otherFrames;
      openSockets += report.openSockets;
      loopDelayP99Us = Math.max(loopDelayP99Us, report.loopDelayP99Us);
      loopDelayMaxUs = Math.max(loopDelayMaxUs, report.loopDelayMaxUs);
      rssBytes += report.rssBytes;
      windowUs = Math.max(windowUs, report.windowUs);
    }
    const seconds = windowUs / 1e6;
    const elapsedUs = (server?.atUs ?? monotonicUs()) - (start.server?.atUs ?? 0);
    const workerCores = workers.map(
      (sample, w) => (sample.cpuUs - (start.workers[w]?.cpuUs ?? 0)) / (windowUs || 1),
    );
    const generatorCpuUs =
      workerCores.reduce((a, b) => a + b, 0) * windowUs +
      coordinatorCpu.user +
      coordinatorCpu.system;
    const busiest = Math.max(0, ...workerCores);
    const busyTicks = machine.busy - start.machine.busy;
    const totalTicks = machine.total - start.machine.total;
    const cores = (sampleCores() * busyTicks) / (totalTicks || 1);

    const warnings: string[] = [];
    if (busiest > WORKER_SATURATED_CORES) {
      warnings.push(`a load worker used ${busiest.toFixed(2)} cores: it may be the bottleneck`);
    }
    if (loopDelayP99Us / 1000 > WORKER_LATE_MS) {
      warnings.push(
        `a load worker's event loop ran ${(loopDelayP99Us / 1000).toFixed(1)} ms late (p99): latencies include generator delay`,
      );
    }
    if (cores > sampleCores() - 0.1) {
      warnings.push(
        `the machine was saturated (${cores.toFixed(2)} of ${sampleCores()} cores busy)`,
      );
    }
    if (sendsBehind > 0.01 * (sends + sendsBehind)) {
      warnings.push(`the generator fell behind its schedule by ${sendsBehind} sends`);
    }

    return {
      seconds: round(seconds),
      monotonicUs: [Math.round(start.atUs), Math.round(endUs)],
      offeredRate: start.offeredRate,
      sends,
      sendsPerSecond: Math.round(sends / (seconds || 1)),
      sendsBehind,
      deliveries,
      deliveriesPerSecond: Math.round(deliveries / (seconds || 1)),
      acks,
      otherFrames,
      latencyMs: latencyUs.summary(1000),
      ackMs: ackUs.summary(1000),
      errors,
      closes,
      openSockets,
      server:
        server === undefined || start.server === undefined
          ? undefined
          : {
              pid: this.#serverPids[0] as number,
              pids: this.#serverPids,
              cpuCores: round((server.cpuUs - start.server.cpuUs) / (elapsedUs || 1)),
              systemShare: round(
                (server.systemUs - start.server.systemUs) /
                  (server.cpuUs - start.server.cpuUs || 1),
              ),
              cpuUsPerDelivery: round((server.cpuUs - start.server.cpuUs) / (deliveries || 1)),
              rssMiB: round(server.rssBytes / MIB),
            },
      loadTester: {
        cpuCores: round(generatorCpuUs / (windowUs || 1)),
        busiestWorkerCores: round(busiest),
        cpuUsPerDelivery: round(generatorCpuUs / (deliveries || 1)),
        loopDelayP99Ms: round(loopDelayP99Us / 1000),
        loopDelayMaxMs: round(loopDelayMaxUs / 1000),
        rssMiB: round(rssBytes / MIB),
      },
      machine: { busyCores: round(cores), loadAverage1m: machineLoad().loadAverage1m },
      generatorWarnings: warnings,
    };
  }

  /** From now on dropped clients reconnect with back-off (full jitter, 0.5 s doubling to 30 s). */
  armReconnect(): void {
    for (const child of this.#children) this.#send(child, { type: "arm_reconnect" });
  }

  async stormStatus(): Promise<StormResult> {
    const reports = (await this.#ask({ type: "storm_status" })) as StormReport[];
    const backUs = new Histogram();
    const result: StormResult = {
      total: 0,
      dropped: 0,
      back: 0,
      failed: 0,
      attempts: 0,
      attemptFailures: {},
      closes: {},
      firstDropUs: Number.POSITIVE_INFINITY,
      lastBackUs: 0,
      backAfterDropMs: backUs.summary(),
    };
    for (const report of reports) {
      result.total += report.total;
      result.dropped += report.dropped;
      result.back += report.back;
      result.failed += report.failed;
      result.attempts += report.attempts;
      addCounts(result.attemptFailures, report.attemptFailures);
      addCounts(result.closes, report.closes);
      if (report.firstDropUs > 0)
        result.firstDropUs = Math.min(result.firstDropUs, report.firstDropUs);
      result.lastBackUs = Math.max(result.lastBackUs, report.lastBackUs);
      backUs.merge(report.backAfterDropUs);
    }
    result.backAfterDropMs = backUs.summary(1000);
    return result;
  }

  /** Closes a random `fraction` of the ready users (1000), each opening again at once. */
  async reconnect(fraction: number): Promise<ReconnectResult> {
    const reports = (await this.#ask({ type: "reconnect", fraction })) as ReconnectReport[];
    const reconnectUs = new Histogram();
    const result: ReconnectResult = { back: 0, failures: {}, reconnectMs: reconnectUs.summary() };
    for (const report of reports) {
      result.back += report.back;
      addCounts(result.failures, report.failures);
      reconnectUs.merge(report.reconnectUs);
    }
    result.reconnectMs = reconnectUs.summary(1000);
    return result;
  }

  /** Closes every connection (1000) and ends the workers. */
  async close(): Promise<void> {
    const exits = this.#children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) resolve();
          child.once("exit", () => resolve());
        }),
    );
    for (const child of this.#children) this.#send(child, { type: "close" });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3_000).unref());
    await Promise.race([Promise.all(exits), timeout]);
    for (const child of this.#children) if (child.exitCode === null) child.kill("SIGKILL");
  }

  #sampleServer(): ProcSample | undefined {
    if (this.#serverPids.length === 0) return undefined;
    try {
      const samples = this.#serverPids.map(sampleProcess);
      return samples.reduce((sum, sample) => ({
        cpuUs: sum.cpuUs + sample.cpuUs,
        systemUs: sum.systemUs + sample.systemUs,
        rssBytes: sum.rssBytes + sample.rssBytes,
        atUs: sample.atUs,
      }));
    } catch {
      // The server may be between two lives (the reconnect storm restarts it).
      return undefined;
    }
  }

  #send(child: ChildProcess, message: ToWorker): void {
    if (child.connected) child.send(message);
  }

  #next(child: ChildProcess): Promise<FromWorker> {
    return new Promise((resolve) => this.#waiting.get(child)?.push(resolve));
  }

  #ask(message: ToWorker): Promise<FromWorker[]> {
    return Promise.all(
      this.#children.map((child) => {
        const answer = this.#next(child);
        this.#send(child, message);
        return answer;
      }),
    );
  }
}

export interface ReconnectResult {
  back: number;
  failures: Record<string, number>;
  reconnectMs: Summary;
}

/** The workers' storm reports summed, with the drop → back times as a summary in ms. */
export type StormResult = Omit<StormReport, "type" | "backAfterDropUs"> & {
  backAfterDropMs: Summary;
};

function endpointOf(url: string): Endpoint {
  const target = new URL(url);
  return {
    host: target.hostname,
    port: Number(target.port || (target.protocol === "wss:" ? 443 : 80)),
    path: target.pathname === "/" ? "/ws" : target.pathname,
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

function sampleCores(): number {
  return availableParallelism();
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
