import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { natsServerMissing, TestNatsServer } from "../src/cluster/testing/nats-server.ts";
import { openDatabase } from "../src/db/create-database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { testDatabaseUrl } from "../src/db/test-engines.ts";
import { TEST_ADMIN_TOKEN } from "./fixtures-client.ts";
import { GatewayProcess } from "./gateway-process.ts";

/** Why the cluster tests cannot run here (one line), or undefined when they can. */
export function clusterTestsSkipped(): string | undefined {
  if (testDatabaseUrl() === undefined) {
    return "cluster tests skipped: they need Postgres (set TEST_DATABASE_URL), which gateways share";
  }
  return natsServerMissing();
}

/** Short enough for tests to see a node die within seconds (the defaults are 1 s and 5 s), long enough for a busy machine. */
export const CLUSTER_TEST_ENV = {
  CLUSTER_HEARTBEAT_MS: "250",
  CLUSTER_LEASE_MS: "2000",
  CLUSTER_REQUEST_TIMEOUT_MS: "1000",
  REST_REQUESTS_PER_MINUTE: "100000",
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  LOG_LEVEL: "info",
};

export interface ClusterNodeHandle {
  readonly name: string;
  readonly process: GatewayProcess;
  /** `http://127.0.0.1:<port>`, as WsClient and fetch take it. */
  readonly base: string;
}

/**
 * A real cluster: its own nats-server, a fresh schema on the test Postgres (migrated once), and
 * gateway processes started with `NATS_URL` and that schema, each on a free port.
 */
export class TestCluster {
  readonly nats: TestNatsServer;
  readonly nodes: ClusterNodeHandle[] = [];
  readonly #databaseUrl: string;
  readonly #schema: string;
  readonly #env: Record<string, string>;
  #count = 0;

  private constructor(
    nats: TestNatsServer,
    databaseUrl: string,
    schema: string,
    env: Record<string, string>,
  ) {
    this.nats = nats;
    this.#databaseUrl = databaseUrl;
    this.#schema = schema;
    this.#env = env;
  }

  static async start(nodes: number, env: Record<string, string> = {}): Promise<TestCluster> {
    const databaseUrl = testDatabaseUrl();
    if (databaseUrl === undefined) throw new Error("expected TEST_DATABASE_URL for a cluster");
    const schema = `c_${randomBytes(6).toString("hex")}`;
    const database = await openDatabase({ databaseUrl, dataDir: "memory://", schema });
    try {
      await migrateToLatest(database.db);
    } finally {
      await database.close();
    }
    const cluster = new TestCluster(await TestNatsServer.start(), databaseUrl, schema, env);
    await Promise.all(Array.from({ length: nodes }, () => cluster.addNode()));
    return cluster;
  }

  node(index: number): ClusterNodeHandle {
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`no cluster node ${index}`);
    return node;
  }

  /** Starts one more gateway and waits until it listens. */
  async addNode(env: Record<string, string> = {}): Promise<ClusterNodeHandle> {
    const name = `gw${++this.#count}`;
    const url = new URL(this.#databaseUrl);
    url.searchParams.set("options", `-c search_path=${this.#schema}`);
    const process = new GatewayProcess({
      ...CLUSTER_TEST_ENV,
      ...this.#env,
      ...env,
      DATABASE_URL: url.toString(),
      NATS_URL: this.nats.url,
      NODE_ID: name,
    });
    const port = await process.port();
    const node = { name, process, base: `http://127.0.0.1:${port}` };
    this.nodes.push(node);
    return node;
  }

  /** Waits until every live node sees all of `names` as live (membership by heartbeat). */
  async settled(names = this.nodes.map((node) => node.name), waitMs = 10_000): Promise<void> {
    const deadline = performance.now() + waitMs;
    for (const node of this.nodes.filter((candidate) => names.includes(candidate.name))) {
      for (;;) {
        const health = (await (await fetch(`${node.base}/health`)).json()) as {
          cluster?: { nodes: string[] };
        };
        const seen = new Set(health.cluster?.nodes ?? []);
        if (names.every((name) => seen.has(name))) break;
        if (performance.now() > deadline) {
          throw new Error(`${node.name} sees ${[...seen]}, expected ${names}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.process.stop()));
    await this.nats.dispose();
    const database = await openDatabase({ databaseUrl: this.#databaseUrl, dataDir: "memory://" });
    try {
      await sql`drop schema if exists ${sql.id(this.#schema)} cascade`.execute(database.db);
    } finally {
      await database.close();
    }
  }
}
