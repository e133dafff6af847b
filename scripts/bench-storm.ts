// The connect storm of docs/BENCHMARKS.md ("Connect storm"), a scenario of scripts/bench.ts:
//   npm run bench -- storm [--users 10000]
// 2,000 users in rooms of 8 chat (one message every 5 s each) while 10,000 other users, each
// with a session of their own, connect (upgrade, hello, join their room) 100 at a time. Every
// socket the server ends is counted by its close code, as the clients saw it and as /metrics
// counts it: the target is no close but with a code PROTOCOL.md documents, no 1006, and every
// one of the 10,000 connected.

import type { BenchGateway, Engine } from "./bench-gateway.ts";
import { BENCH_CLIENTS, roomsOfEight } from "./bench-load.ts";
import {
  addCounts,
  type BenchContext,
  byLabel,
  classifyCloses,
  growth,
  round2,
  type Scrape,
  scrapeMetrics,
} from "./bench-observe.ts";
import { formatConnect, formatWindow, prepareLoad, sleep } from "./loadtest.ts";
import { Coordinator } from "./loadtest-coordinator.ts";
import { mintUsers } from "./loadtest-fixtures.ts";

const SEND_EVERY_S = 5;
const IN_FLIGHT = 100;
const STORM_WORKERS = 2;
const CHAT_WORKERS = 2;
const QUIET_WINDOW_MS = 5_000;
/** Time after the last connect for a late drop to show. */
const SETTLE_MS = 5_000;

/** The bare uWS baseline (--baseline) has no /metrics: its closes are the clients' count alone. */
function scrapeOrNothing(httpUrl: string): Promise<Scrape> {
  return scrapeMetrics(httpUrl).catch(() => new Map());
}

export const connectStorm = {
  name: "storm",
  title: `connect storm: 10,000 connects by distinct users, ${IN_FLIGHT} in flight, while 2,000 others chat`,
  engine: "postgres" as Engine,
  async run(gateway: BenchGateway, ctx: BenchContext): Promise<Record<string, unknown>> {
    const stormUsers = ctx.users ?? (ctx.isQuick ? 1_000 : 10_000);
    const chatters = ctx.isQuick ? 400 : 2_000;
    const options = { url: gateway.url, adminToken: gateway.adminToken, ...BENCH_CLIENTS };
    const { coordinator: chat, connect: chatConnect } = await prepareLoad({
      ...options,
      layout: roomsOfEight(chatters, { isSending: true }),
      workers: CHAT_WORKERS,
      connectConcurrency: IN_FLIGHT,
      serverPid: gateway.pid,
      log: ctx.log,
    });
    const specs = await mintUsers(
      gateway.httpUrl,
      gateway.adminToken,
      roomsOfEight(stormUsers, { isSending: false }),
      ctx.log,
    );
    // Each worker keeps its share of the 100 in flight; its own source addresses, after chat's.
    const storm = new Coordinator({
      ...options,
      users: specs,
      workers: STORM_WORKERS,
      sourceAddressOffset: CHAT_WORKERS,
      connectConcurrency: IN_FLIGHT / STORM_WORKERS,
    });
    try {
      await storm.start();
      chat.setRate(chatters / SEND_EVERY_S);
      await sleep(3_000);
      // The same chat with no storm, just before: what the storm's latencies compare with.
      chat.beginWindow();
      await sleep(QUIET_WINDOW_MS);
      const quiet = await chat.endWindow();
      const before = await scrapeOrNothing(gateway.httpUrl);
      chat.beginWindow();
      storm.beginWindow();
      const connect = await storm.connect();
      const during = await chat.endWindow();
      ctx.log(formatConnect(connect));
      const connectsPerSecond = round2(stormUsers / connect.seconds);
      ctx.log(
        `storm: ${stormUsers} connects in ${connect.seconds} s: ${connectsPerSecond} connects/s (${IN_FLIGHT} in flight)`,
      );
      ctx.log(`chat during the storm:\n${formatWindow(during)}`);
      await sleep(SETTLE_MS);
      // Both windows run from before the storm: their closes are every close since.
      const chatAll = await chat.endWindow();
      const stormAll = await storm.endWindow();
      const after = await scrapeOrNothing(gateway.httpUrl);
      const seen: Record<string, number> = {};
      addCounts(seen, chatConnect.failures);
      addCounts(seen, connect.failures);
      addCounts(seen, stormAll.closes);
      addCounts(seen, chatAll.closes);
      const { documented, undocumented, undocumentedCount } = classifyCloses(seen);
      const lost = (seen["1006"] ?? 0) + (seen.close_1006 ?? 0);
      const serverCloses = growth(
        byLabel(before, "clofri_ws_closes_total", "code"),
        byLabel(after, "clofri_ws_closes_total", "code"),
      );
      const refused = growth(
        byLabel(before, "clofri_ws_upgrades_refused_total", "reason"),
        byLabel(after, "clofri_ws_upgrades_refused_total", "reason"),
      );
      ctx.log(
        `closes the clients saw (storm and chat, connect phase included): documented ${JSON.stringify(documented)}, other ${JSON.stringify(undocumented)}; 1006: ${lost}`,
      );
      ctx.log(
        `server's count over the storm (/metrics): closes by code ${JSON.stringify(serverCloses)}, refused ${JSON.stringify(refused)}; open sockets at the end: storm ${stormAll.openSockets}/${stormUsers}, chat ${chatAll.openSockets}/${chatters}`,
      );
      ctx.log(
        `chat send→receive during the storm: p50 ${during.latencyMs.p50} ms, p99 ${during.latencyMs.p99} ms; the 5 s before it: p50 ${quiet.latencyMs.p50} ms, p99 ${quiet.latencyMs.p99} ms (×${round2(during.latencyMs.p50 / (quiet.latencyMs.p50 || 1))} and ×${round2(during.latencyMs.p99 / (quiet.latencyMs.p99 || 1))}); error frames ${JSON.stringify(chatAll.errors)}`,
      );
      return {
        connect,
        connectsPerSecond,
        chatBeforeStorm: quiet,
        chatDuringStorm: during,
        closesSeen: seen,
        serverCloses,
        refused,
        targets: {
          undocumentedCloses: {
            target: 0,
            measured: undocumentedCount,
            met: undocumentedCount === 0,
          },
          lostConnections1006: { target: 0, measured: lost, met: lost === 0 },
          allConnected: {
            target: stormUsers,
            measured: connect.ready,
            met: connect.ready === stormUsers && stormAll.openSockets === stormUsers,
          },
        },
      };
    } finally {
      await storm.close();
      await chat.close();
    }
  },
};
