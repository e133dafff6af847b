// Scenario (e) of `npm run bench`: (a)'s load on one gateway, then the same load with each room's
// members spread over two gateways of a cluster (NATS between them), in the same run. The figure
// is the servers' CPU per delivery: the two gateways and nats-server together against the single
// gateway, read from /proc/<pid>/stat over the same measurement window. nats-server's own counters
// (/varz) say how many NATS messages each send cost.
//
//   BENCH_CPU_PROF_DIR=/tmp/prof npm run bench -- e   also writes a V8 CPU profile per gateway there

import { readFileSync } from "node:fs";
import {
  BenchGateway,
  createDatabase,
  DEFAULT_POSTGRES_URL,
  type Engine,
  profileArgs,
} from "./bench-gateway.ts";
import { BENCH_CLIENTS } from "./bench-load.ts";
import { defaultWorkers, formatWindow, prepareLoad, sleep } from "./loadtest.ts";
import type { Coordinator, WindowResult } from "./loadtest-coordinator.ts";
import type { Layout } from "./loadtest-fixtures.ts";
import { sampleProcess } from "./loadtest-stats.ts";
import { LocalNatsServer } from "./nats-server.ts";

/** What (e) needs of the runner's context (scripts/bench.ts). */
interface ClusterBenchContext {
  isQuick: boolean;
  users: number | undefined;
  isSpread: boolean;
  log: (line: string) => void;
}

const CPU_RATIO_TARGET = 1.5;
const P99_TARGET_MS = 15;
const GATEWAYS = 2;
const WARMUP_S = 3;
/** The cluster's members must all see each other before the load starts. */
const SETTLE_TIMEOUT_MS = 15_000;

interface Target {
  /** A WebSocket URL per gateway; clients go round-robin over them. */
  urls: string[];
  httpUrl: string;
  adminToken: string;
  /** The processes whose CPU counts as the server's. */
  processes: Array<{ name: string; pid: number }>;
  /** nats-server's monitoring endpoint, in a cluster. */
  natsMonitorUrl?: string;
}

interface NatsCounters {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
}

interface Measured {
  window: WindowResult;
  /** Each server process's CPU per delivery over the window, µs. */
  perProcess: Array<{
    name: string;
    cpuUsPerDelivery: number;
    cores: number;
    /** read(2)/write(2)-family system calls per message sent (uWS's send(2) is not among them). */
    readsPerSend: number;
    writesPerSend: number;
  }>;
  serverUsPerDelivery: number;
  /** NATS messages into and out of nats-server per message sent by a client, in a cluster. */
  nats?: { inMsgsPerSend: number; outMsgsPerSend: number; inBytesPerSend: number };
}

export const clusterSpread = {
  name: "e",
  title: `(a)'s load with each room's members on ${GATEWAYS} gateways and NATS, against one gateway`,
  engine: "postgres" as Engine,
  async run(gateway: BenchGateway, ctx: ClusterBenchContext): Promise<Record<string, unknown>> {
    const users = ctx.users ?? (ctx.isQuick ? 2_000 : 16_000);
    const durationS = ctx.isQuick ? 5 : 20;
    const layout: Layout = {
      users,
      groupSize: 8,
      groupsPerUser: 1,
      join: "first",
      befriend: "group",
      isSending: true,
    };
    ctx.log(`-- one gateway (pid ${gateway.pid})`);
    const single = await measure(
      {
        urls: [gateway.url],
        httpUrl: gateway.httpUrl,
        adminToken: gateway.adminToken,
        processes: [{ name: "gateway", pid: gateway.pid }],
      },
      layout,
      durationS,
      ctx,
    );
    // The single gateway's work is done: stopped, so that it takes no CPU from the cluster's run.
    await gateway.stop();
    const clustered = await withCluster(ctx, (target) => measure(target, layout, durationS, ctx));
    return report(single, clustered, ctx);
  },
};

/** Starts nats-server and the gateways on one fresh database, runs `body`, stops them all. */
async function withCluster<T>(
  ctx: ClusterBenchContext,
  body: (target: Target) => Promise<T>,
): Promise<T> {
  const nats = await LocalNatsServer.start();
  const database = await createDatabase(DEFAULT_POSTGRES_URL);
  const gateways: BenchGateway[] = [];
  try {
    // One after the other: the first applies the migrations to the fresh database.
    for (let i = 1; i <= GATEWAYS; i++) {
      const env = { NATS_URL: nats.url, NODE_ID: `bench${i}` };
      gateways.push(
        await BenchGateway.start({
          engine: "postgres",
          databaseUrl: database.url,
          env,
          nodeArgs: profileArgs(),
        }),
      );
    }
    await settled(gateways);
    const first = gateways[0] as BenchGateway;
    ctx.log(
      `-- cluster: ${gateways.map((g, i) => `bench${i + 1} pid ${g.pid}`).join(", ")}, nats-server pid ${nats.pid} (${nats.url})`,
    );
    return await body({
      urls: gateways.map((g) => g.url),
      httpUrl: first.httpUrl,
      adminToken: first.adminToken,
      processes: [
        ...gateways.map((g, i) => ({ name: `bench${i + 1}`, pid: g.pid })),
        { name: "nats-server", pid: nats.pid },
      ],
      natsMonitorUrl: nats.monitorUrl,
    });
  } finally {
    for (const g of gateways) await g.dispose();
    await nats.stop();
    await database.drop();
  }
}

/** Waits until every gateway's /health names all of them. */
async function settled(gateways: BenchGateway[]): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  for (const g of gateways) {
    for (;;) {
      const health = (await (await fetch(`${g.httpUrl}/health`)).json()) as {
        cluster?: { nodes: string[] };
      };
      if ((health.cluster?.nodes.length ?? 0) >= gateways.length) break;
      if (performance.now() > deadline) {
        throw new Error(`the cluster did not settle: ${JSON.stringify(health.cluster)}`);
      }
      await sleep(100);
    }
  }
}

/** (a)'s load against `target`: connect, warm up, one window, each server process sampled. */
async function measure(
  target: Target,
  layout: Layout,
  durationS: number,
  ctx: ClusterBenchContext,
): Promise<Measured> {
  const { coordinator } = await prepareLoad({
    url: target.urls,
    adminToken: target.adminToken,
    layout,
    workers: defaultWorkers(layout.users),
    ...BENCH_CLIENTS,
    spreadSends: ctx.isSpread,
    serverPid: target.processes.map((p) => p.pid),
    log: ctx.log,
  });
  try {
    return await window(coordinator, target, layout.users / 2, durationS, ctx);
  } finally {
    await coordinator.close();
  }
}

async function window(
  coordinator: Coordinator,
  target: Target,
  rate: number,
  durationS: number,
  ctx: ClusterBenchContext,
): Promise<Measured> {
  coordinator.setRate(rate);
  await sleep(WARMUP_S * 1000);
  const natsBefore = await natsCounters(target.natsMonitorUrl);
  const before = target.processes.map((p) => sampleProcess(p.pid));
  const ioBefore = target.processes.map((p) => sampleIo(p.pid));
  coordinator.beginWindow();
  await sleep(durationS * 1000);
  const window = await coordinator.endWindow();
  const after = target.processes.map((p) => sampleProcess(p.pid));
  const ioAfter = target.processes.map((p) => sampleIo(p.pid));
  const natsAfter = await natsCounters(target.natsMonitorUrl);
  coordinator.setRate(0);
  await sleep(500);
  ctx.log(formatWindow(window));
  const deliveries = window.deliveries || 1;
  const sends = window.sends || 1;
  const perProcess = target.processes.map((p, i) => {
    const cpuUs = (after[i]?.cpuUs ?? 0) - (before[i]?.cpuUs ?? 0);
    const elapsedUs = (after[i]?.atUs ?? 0) - (before[i]?.atUs ?? 0);
    return {
      name: p.name,
      cpuUsPerDelivery: round(cpuUs / deliveries),
      cores: round(cpuUs / (elapsedUs || 1)),
      readsPerSend: round(((ioAfter[i]?.reads ?? 0) - (ioBefore[i]?.reads ?? 0)) / sends),
      writesPerSend: round(((ioAfter[i]?.writes ?? 0) - (ioBefore[i]?.writes ?? 0)) / sends),
    };
  });
  ctx.log(
    `  per process: ${perProcess.map((p) => `${p.name} ${p.cpuUsPerDelivery} µs/delivery (${p.cores} cores; ${p.readsPerSend} reads, ${p.writesPerSend} writes per send)`).join(", ")}`,
  );
  if ((window.closes["1001"] ?? 0) > 0) {
    ctx.log(
      `  WARNING: ${window.closes["1001"]} sockets closed with 1001 in the window: a gateway fenced itself (its own heartbeat came back later than CLUSTER_LEASE_MS) — the figures are not those of a steady run`,
    );
  }
  const serverUsPerDelivery = round(perProcess.reduce((sum, p) => sum + p.cpuUsPerDelivery, 0));
  if (natsBefore === undefined || natsAfter === undefined) {
    return { window, perProcess, serverUsPerDelivery };
  }
  const nats = {
    inMsgsPerSend: round((natsAfter.inMsgs - natsBefore.inMsgs) / sends),
    outMsgsPerSend: round((natsAfter.outMsgs - natsBefore.outMsgs) / sends),
    inBytesPerSend: Math.round((natsAfter.inBytes - natsBefore.inBytes) / sends),
  };
  ctx.log(
    `  nats-server per send: ${nats.inMsgsPerSend} messages in, ${nats.outMsgsPerSend} out, ${nats.inBytesPerSend} bytes in`,
  );
  return { window, perProcess, serverUsPerDelivery, nats };
}

function report(
  single: Measured,
  clustered: Measured,
  ctx: ClusterBenchContext,
): Record<string, unknown> {
  const ratio = round(clustered.serverUsPerDelivery / (single.serverUsPerDelivery || 1));
  const p99 = clustered.window.latencyMs.p99;
  const row = (name: string, m: Measured) =>
    `  ${name.padEnd(22)} ${String(m.serverUsPerDelivery).padStart(8)} µs   ${String(m.window.latencyMs.p99).padStart(8)} ms   ${String(m.window.deliveriesPerSecond).padStart(9)}`;
  ctx.log(
    [
      `                         server CPU    p99 s→r   deliveries/s`,
      row("one gateway", single),
      row(`${GATEWAYS} gateways + NATS`, clustered),
      `  CPU per delivery ${ratio}× one gateway (target ≤ ${CPU_RATIO_TARGET}×): ${ratio <= CPU_RATIO_TARGET ? "PASS" : "FAIL"}; p99 ${p99} ms (target ≤ ${P99_TARGET_MS} ms): ${p99 <= P99_TARGET_MS ? "PASS" : "FAIL"}`,
    ].join("\n"),
  );
  return {
    single,
    clustered,
    cpuRatio: ratio,
    targets: {
      cpuRatio: { target: CPU_RATIO_TARGET, measured: ratio, met: ratio <= CPU_RATIO_TARGET },
      p99Ms: { target: P99_TARGET_MS, measured: p99, met: p99 <= P99_TARGET_MS },
    },
  };
}

/** System calls of the read and write families so far (`/proc/<pid>/io`: syscr, syscw). */
function sampleIo(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  return {
    reads: Number(/syscr:\s+(\d+)/.exec(io)?.[1] ?? 0),
    writes: Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? 0),
  };
}

/** nats-server's message counters, from its monitoring endpoint. */
async function natsCounters(monitorUrl: string | undefined): Promise<NatsCounters | undefined> {
  if (monitorUrl === undefined) return undefined;
  const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as {
    in_msgs: number;
    out_msgs: number;
    in_bytes: number;
  };
  return { inMsgs: varz.in_msgs, outMsgs: varz.out_msgs, inBytes: varz.in_bytes };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
