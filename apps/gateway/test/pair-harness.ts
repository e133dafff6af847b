import { TestNatsServer } from "../src/cluster/testing/nats-server.ts";
import { loadConfig } from "../src/config.ts";
import { type TestEngine, testDatabaseUrl } from "../src/db/test-engines.ts";
import type { Gateway } from "../src/gateway.ts";
import {
  CapturingMailer,
  type GatewayView,
  startHarnessGateway,
  type TestGateway,
  type TestGatewayOptions,
} from "./test-gateway.ts";

// Cluster pair mode (`TEST_CLUSTER_PAIR=1`, which the test runner sets for a second pass over the
// real-socket tests): each suite's "gateway" is two gateways of one cluster, in this process, on
// one Postgres schema and their own nats-server; each new WebSocket client goes to the next one.

/** One origin for both, as a load balancer in front of them would present. */
const PAIR_ORIGIN = "http://clofri.test";

export function isClusterPairMode(): boolean {
  return process.env.TEST_CLUSTER_PAIR === "1";
}

/**
 * A skip reason for a test of what one gateway promises and a cluster promises differently (the
 * cluster's own tests cover its version); undefined outside pair mode.
 */
export function onlyOnOneGateway(why: string): string | undefined {
  return isClusterPairMode() ? `one gateway only: ${why}` : undefined;
}

export async function startTestPair(
  engine: TestEngine,
  env: Record<string, string>,
  options: TestGatewayOptions,
): Promise<TestGateway> {
  const databaseUrl = testDatabaseUrl();
  if (databaseUrl === undefined) throw new Error("cluster pair mode needs TEST_DATABASE_URL");
  const database = await engine.open();
  const nats = await TestNatsServer.start();
  const clock = { nowMs: Date.now() };
  const mailer = new CapturingMailer();
  const start = (node: string) => {
    const config = loadConfig({
      PORT: "0",
      LOG_LEVEL: "silent",
      APP_ORIGIN: PAIR_ORIGIN,
      ...env,
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      NODE_ID: node,
      CLUSTER_HEARTBEAT_MS: "250",
      // Both gateways and every client share this one process: a test that floods it may hold
      // the event loop for seconds, and that must not read as a lost lease. The cluster-*.test.ts
      // files test leases and fencing with gateways in processes of their own.
      CLUSTER_LEASE_MS: "30000",
      // These tests move the rooms' ManualClock right after a frame that crosses NATS (a drop, a
      // leave); with the flush gap's wait that move could come before the owner has the frame.
      // The cluster-*.test.ts files run with the default gap.
      CLUSTER_FLUSH_GAP_MS: "0",
    });
    return startHarnessGateway(config, { database, mailer, clock, options });
  };
  const pair = [await start("a"), await start("b")] as const;
  const bases = pair.map((gateway) => `http://127.0.0.1:${gateway.port}`);
  let next = 0;
  return {
    gateway: pairView(pair),
    nextWsBase: () => bases[next++ % bases.length] as string,
    bases,
    database,
    mailer,
    base: bases[0] as string,
    origin: PAIR_ORIGIN,
    clock,
    async close() {
      await Promise.all(pair.map((gateway) => gateway.shutdown()));
      await nats.dispose();
      await database.close();
    },
  };
}

/** Both gateways as one: counts add up, time-driven checks run on both, hooks find the room. */
function pairView([first, second]: readonly [Gateway, Gateway]): GatewayView {
  const both = [first, second];
  return {
    port: first.port,
    appOrigin: first.appOrigin,
    context: first.context,
    shutdown: async () => {
      await Promise.all(both.map((gateway) => gateway.shutdown()));
    },
    // NATS keeps each connection's order: a flush (PING/PONG) on the publisher puts its frames at
    // the server; one on the receiver then returns after they were handed to its handlers. Twice
    // round covers either direction.
    crossNodeSettled: async () => {
      for (const gateway of [...both, ...both]) await gateway.cluster?.link.flush();
    },
    realtime: {
      get connectionCount() {
        return first.realtime.connectionCount + second.realtime.connectionCount;
      },
      get roomCount() {
        return first.realtime.roomCount + second.realtime.roomCount;
      },
      connectionsOf: (userId) =>
        first.realtime.connectionsOf(userId) + second.realtime.connectionsOf(userId),
      sweep: () => {
        for (const gateway of both) gateway.realtime.sweep();
      },
      writeLastSeen: async () => {
        await Promise.all(both.map((gateway) => gateway.realtime.writeLastSeen()));
      },
      presence: first.realtime.presence,
      rooms: pairRooms(both.map((gateway) => gateway.realtime.rooms)),
    },
  };
}

type Supervisor = Gateway["realtime"]["rooms"];

/**
 * Both room supervisors as one: a hook reaches the room wherever it runs, and a test that swaps
 * a method in (a fault) swaps it in both.
 */
function pairRooms(supervisors: Supervisor[]): GatewayView["realtime"]["rooms"] {
  const [first] = supervisors;
  if (first === undefined) throw new Error("expected two supervisors");
  const hooks = {
    crash: (groupId: string) => supervisors.some((rooms) => rooms.crash(groupId)),
    stall: (groupId: string) => supervisors.some((rooms) => rooms.stall(groupId)),
  };
  return new Proxy(first, {
    get: (target, key) => {
      if (key in hooks) return hooks[key as keyof typeof hooks];
      const value: unknown = Reflect.get(target, key, target);
      // Methods read private fields: they run on the supervisor itself, not on the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_target, key, value) => supervisors.every((rooms) => Reflect.set(rooms, key, value)),
    deleteProperty: (_target, key) =>
      supervisors.every((rooms) => Reflect.deleteProperty(rooms, key)),
  });
}
