// The soak of docs/BENCHMARKS.md ("Soak"), a scenario of scripts/bench.ts:
//   npm run bench -- soak [--minutes 30] [--users 2000]
// 2,000 clients in rooms of 8, each sending one message every 5 s; every minute 10 % of them
// (chosen at random) close with 1000 and connect again at once. Every 30 s the gateway's JS heap
// (after full GCs, over the inspector) and RSS (/proc) are sampled; the slope after the warm-up
// says whether memory is flat. At the end every client leaves, and the connection, room,
// online and in-flight gauges of /metrics must come back to what they were before.

import type { BenchGateway, Engine } from "./bench-gateway.ts";
import { collectGarbage } from "./bench-inspector.ts";
import { BENCH_CLIENTS, roomsOfEight } from "./bench-load.ts";
import {
  addCounts,
  type BenchContext,
  byLabel,
  growth,
  round2,
  type Scrape,
  scrapeMetrics,
  slope,
  sum,
} from "./bench-observe.ts";
import { prepareLoad, sleep } from "./loadtest.ts";
import type { Coordinator } from "./loadtest-coordinator.ts";
import { machineLoad, sampleProcess } from "./loadtest-stats.ts";

const MIB = 1024 * 1024;
const SEND_EVERY_S = 5;
const RECONNECT_SHARE = 0.1;
const WARMUP_MINUTES = 3;
/** Flat: the fitted growth stays under 1 % of the level per 10 minutes (6 % an hour). */
const FLAT_SHARE_PER_MINUTE = 0.001;
/** Rooms linger 120 s once empty (ROOM_LINGER_MS); the gauges get that and some more. */
const SETTLE_TIMEOUT_MS = 180_000;
const GAUGES = [
  "clofri_ws_connections",
  "clofri_online_users",
  "clofri_rooms_active",
  "clofri_http_requests_in_flight",
] as const;

interface MemorySample {
  minute: number;
  heapMiB: number;
  rssMiB: number;
}

interface Totals {
  closes: Record<string, number>;
  errors: Record<string, number>;
  reconnectFailures: Record<string, number>;
  reconnectsBack: number;
  sends: number;
  sendsBehind: number;
  worstP99Ms: number;
  p50sMs: number[];
}

async function sampleMemory(gateway: BenchGateway, t0: number): Promise<MemorySample> {
  const port = gateway.inspectorPort;
  if (port === undefined) throw new Error("the soak needs a gateway started withInspector");
  const heapBytes = await collectGarbage(port);
  return {
    minute: round2((performance.now() - t0) / 60_000),
    heapMiB: round2(heapBytes / MIB),
    rssMiB: round2(sampleProcess(gateway.pid).rssBytes / MIB),
  };
}

/** One minute: a memory sample, 10 % reconnect, another sample at 30 s, the window's figures. */
async function soakMinute(
  m: number,
  coordinator: Coordinator,
  gateway: BenchGateway,
  t0: number,
  samples: MemorySample[],
  totals: Totals,
  ctx: BenchContext,
): Promise<void> {
  const until = (seconds: number) => sleep(Math.max(0, t0 + seconds * 1000 - performance.now()));
  coordinator.beginWindow();
  samples.push(await sampleMemory(gateway, t0));
  const reconnect = await coordinator.reconnect(RECONNECT_SHARE);
  totals.reconnectsBack += reconnect.back;
  addCounts(totals.reconnectFailures, reconnect.failures);
  await until(m * 60 + 30);
  samples.push(await sampleMemory(gateway, t0));
  await until((m + 1) * 60);
  const w = await coordinator.endWindow();
  addCounts(totals.closes, w.closes);
  addCounts(totals.errors, w.errors);
  totals.sends += w.sends;
  totals.sendsBehind += w.sendsBehind;
  totals.worstP99Ms = Math.max(totals.worstP99Ms, w.latencyMs.p99);
  totals.p50sMs.push(w.latencyMs.p50);
  const memory = samples.at(-2) as MemorySample;
  ctx.log(
    `minute ${m + 1}: ${w.sendsPerSecond} msg/s, send→receive p50 ${w.latencyMs.p50} p99 ${w.latencyMs.p99} ms; reconnected ${reconnect.back} (close→back p50 ${reconnect.reconnectMs.p50} p99 ${reconnect.reconnectMs.p99} ms, failed ${JSON.stringify(reconnect.failures)}); ${w.openSockets} open; closes ${JSON.stringify(w.closes)} errors ${JSON.stringify(w.errors)}; heap ${memory.heapMiB} MiB, RSS ${memory.rssMiB} MiB; load ${machineLoad().loadAverage1m}`,
  );
}

/** Polls /metrics until every gauge is back where it started, or the time is up. */
async function settleGauges(
  httpUrl: string,
  baseline: Scrape,
): Promise<{ end: Scrape; seconds: number }> {
  const started = performance.now();
  for (;;) {
    const end = await scrapeMetrics(httpUrl);
    const isBack = GAUGES.every((name) => end.get(name) === baseline.get(name));
    if (isBack || performance.now() - started > SETTLE_TIMEOUT_MS) {
      return { end, seconds: round2((performance.now() - started) / 1000) };
    }
    await sleep(2_000);
  }
}

function flatness(name: string, samples: MemorySample[], pick: (s: MemorySample) => number) {
  const points = samples.map((s) => [s.minute, pick(s)] as const);
  const perMinute = slope(points);
  const mean = points.reduce((a, [, y]) => a + y, 0) / (points.length || 1);
  const bound = FLAT_SHARE_PER_MINUTE * mean;
  return {
    name,
    mibPerMinute: Number(perMinute.toFixed(4)),
    meanMiB: round2(mean),
    boundMibPerMinute: Number(bound.toFixed(4)),
    met: points.length >= 2 && Math.abs(perMinute) <= bound,
  };
}

export const soak = {
  name: "soak",
  title: `soak: 2,000 clients chatting (one message every ${SEND_EVERY_S} s each), ${RECONNECT_SHARE * 100} % reconnecting each minute; memory slope, gauges back to baseline`,
  engine: "postgres" as Engine,
  withInspector: true,
  isOnRequest: true,
  async run(gateway: BenchGateway, ctx: BenchContext): Promise<Record<string, unknown>> {
    const minutes = ctx.minutes ?? (ctx.isQuick ? 3 : 30);
    const users = ctx.users ?? (ctx.isQuick ? 400 : 2_000);
    const warmup = Math.min(WARMUP_MINUTES, minutes / 3);
    const baseline = await scrapeMetrics(gateway.httpUrl);
    const heapBefore = await sampleMemory(gateway, performance.now());
    const { coordinator } = await prepareLoad({
      url: gateway.url,
      adminToken: gateway.adminToken,
      layout: roomsOfEight(users, { isSending: true }),
      workers: 2,
      ...BENCH_CLIENTS,
      serverPid: gateway.pid,
      log: ctx.log,
    });
    const samples: MemorySample[] = [];
    const totals: Totals = {
      closes: {},
      errors: {},
      reconnectFailures: {},
      reconnectsBack: 0,
      sends: 0,
      sendsBehind: 0,
      worstP99Ms: 0,
      p50sMs: [],
    };
    const t0 = performance.now();
    let leaving: Scrape = baseline;
    try {
      coordinator.setRate(users / SEND_EVERY_S);
      for (let m = 0; m < minutes; m++) {
        await soakMinute(m, coordinator, gateway, t0, samples, totals, ctx);
      }
      samples.push(await sampleMemory(gateway, t0));
      coordinator.setRate(0);
      await sleep(1_000);
      leaving = await scrapeMetrics(gateway.httpUrl);
    } finally {
      await coordinator.close();
    }
    const { end, seconds } = await settleGauges(gateway.httpUrl, baseline);
    const heapAfter = await sampleMemory(gateway, t0);
    const run = { ctx, samples, warmup, totals, seconds, heapBefore, heapAfter };
    return report({ ...run, baseline, leaving, end });
  },
};

function report(r: {
  ctx: BenchContext;
  samples: MemorySample[];
  warmup: number;
  totals: Totals;
  baseline: Scrape;
  /** Just before the clients leave. */
  leaving: Scrape;
  end: Scrape;
  seconds: number;
  heapBefore: MemorySample;
  heapAfter: MemorySample;
}): Record<string, unknown> {
  const { ctx, totals, baseline, end } = r;
  const measured = r.samples.filter((s) => s.minute >= r.warmup);
  const heap = flatness("heap", measured, (s) => s.heapMiB);
  const rss = flatness("rss", measured, (s) => s.rssMiB);
  const gauges = Object.fromEntries(
    GAUGES.map((name) => [name, { baseline: baseline.get(name), end: end.get(name) }]),
  );
  const serverErrors = growth(
    byLabel(baseline, "clofri_ws_errors_total", "code"),
    byLabel(end, "clofri_ws_errors_total", "code"),
  );
  const crashes =
    (end.get("clofri_actor_crashes_total") ?? 0) -
    (baseline.get("clofri_actor_crashes_total") ?? 0);
  const closesAt = (scrape: Scrape) => byLabel(scrape, "clofri_ws_closes_total", "code");
  const serverCloses = growth(closesAt(baseline), closesAt(r.leaving));
  const leavingCloses = growth(closesAt(r.leaving), closesAt(end));
  const errorCount =
    sum(totals.closes) +
    sum(totals.errors) +
    sum(totals.reconnectFailures) +
    sum(serverErrors) +
    crashes;
  ctx.log(
    `memory samples (minute heap/RSS MiB): ${r.samples.map((s) => `${s.minute} ${s.heapMiB}/${s.rssMiB}`).join(", ")}`,
  );
  ctx.log(
    `heap after GC: ${heap.mibPerMinute} MiB/min after minute ${round2(r.warmup)} (mean ${heap.meanMiB} MiB, bound ±${heap.boundMibPerMinute}): ${heap.met ? "PASS" : "FAIL"}`,
  );
  ctx.log(
    `RSS: ${rss.mibPerMinute} MiB/min after minute ${round2(r.warmup)} (mean ${rss.meanMiB} MiB, bound ±${rss.boundMibPerMinute}): ${rss.met ? "PASS" : "FAIL"}`,
  );
  ctx.log(
    `before any client: heap ${r.heapBefore.heapMiB} MiB, RSS ${r.heapBefore.rssMiB} MiB; after all left: heap ${r.heapAfter.heapMiB} MiB, RSS ${r.heapAfter.rssMiB} MiB`,
  );
  const targets: Record<string, { target: unknown; measured: unknown; met: boolean }> = {
    heapSlopeMibPerMinute: {
      target: `±${heap.boundMibPerMinute}`,
      measured: heap.mibPerMinute,
      met: heap.met,
    },
    rssSlopeMibPerMinute: {
      target: `±${rss.boundMibPerMinute}`,
      measured: rss.mibPerMinute,
      met: rss.met,
    },
  };
  for (const [name, g] of Object.entries(gauges)) {
    const met = g.baseline !== undefined && g.end === g.baseline;
    targets[name] = { target: g.baseline, measured: g.end, met };
    ctx.log(
      `${name}: ${g.baseline} before, ${g.end} at the end (after ${r.seconds} s): ${met ? "PASS" : "FAIL"}`,
    );
  }
  targets.errors = { target: 0, measured: errorCount, met: errorCount === 0 };
  ctx.log(
    `errors: ${errorCount} — server-initiated closes ${JSON.stringify(totals.closes)}, error frames ${JSON.stringify(totals.errors)}, reconnects failed ${JSON.stringify(totals.reconnectFailures)} (${totals.reconnectsBack} back), server error frames ${JSON.stringify(serverErrors)}, actor crashes ${crashes}: ${errorCount === 0 ? "PASS" : "FAIL"}`,
  );
  ctx.log(
    `chat: ${totals.sends} sends (${totals.sendsBehind} behind schedule), p50 per minute ${Math.min(...totals.p50sMs)}–${Math.max(...totals.p50sMs)} ms, worst minute p99 ${totals.worstP99Ms} ms; the server's closes by code (/metrics) while chatting ${JSON.stringify(serverCloses)}, as the clients left ${JSON.stringify(leavingCloses)}`,
  );
  return {
    samples: r.samples,
    heap,
    rss,
    gauges,
    totals,
    serverErrors,
    serverCloses,
    leavingCloses,
    crashes,
    targets,
  };
}
