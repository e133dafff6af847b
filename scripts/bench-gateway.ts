// Starts the real gateway as its own process for the load benchmarks: a free port, a temp
// DATA_DIR, a random ADMIN_TOKEN, the load-test limits, PGlite or a fresh Postgres database.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type Engine = "pglite" | "postgres";

export interface GatewayOptions {
  engine: Engine;
  /** Extra environment (limits, timings). */
  env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  /** Starts the V8 inspector on 127.0.0.1 at a free port (`inspectorPort`), to force GCs. */
  withInspector?: boolean;
  /** Postgres server to create the benchmark's database on. */
  postgresUrl?: string;
  /** An existing database to use instead (a cluster's gateways share one); not dropped. */
  databaseUrl?: string;
  /** The server to run instead of the gateway (the bare uWS baseline). */
  entry?: string;
}

/** High enough that the load test measures the gateway, not its abuse limits. */
export const LOAD_LIMITS: Readonly<Record<string, string>> = {
  MESSAGES_PER_MINUTE: "1000000",
  MESSAGE_BURST_PER_SECOND: "100000",
  MAX_BACKPRESSURE_BYTES: String(4 * 1024 * 1024),
  LOG_LEVEL: "warn",
};

/**
 * Profiling of the benchmarks' gateways, when asked for: V8 CPU profiles written when they exit
 * (`BENCH_CPU_PROF_DIR`), or their JavaScript named for `perf record` (`BENCH_PERF`).
 */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (dir) return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
  // For `perf record`: JIT-compiled functions named in /tmp/perf-<pid>.map.
  return process.env.BENCH_PERF ? ["--perf-basic-prof"] : [];
}

const GATEWAY_ENTRY = "apps/gateway/src/main.ts";
export const BASELINE_ENTRY = "scripts/bench-uws-baseline.ts";
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const START_TIMEOUT_MS = 60_000;

/** A gateway process; `restart` keeps the port, data and database (the reconnect storm). */
export class BenchGateway {
  readonly port: number;
  readonly adminToken: string;
  readonly engine: Engine;
  readonly inspectorPort: number | undefined;
  readonly #env: Record<string, string>;
  readonly #nodeArgs: readonly string[];
  readonly #entry: string;
  readonly #dataDir: string;
  readonly #dropDatabase: (() => Promise<void>) | undefined;
  #child: ChildProcess | undefined;

  private constructor(args: {
    port: number;
    adminToken: string;
    engine: Engine;
    inspectorPort: number | undefined;
    env: Record<string, string>;
    nodeArgs: readonly string[];
    entry: string;
    dataDir: string;
    dropDatabase: (() => Promise<void>) | undefined;
  }) {
    this.port = args.port;
    this.adminToken = args.adminToken;
    this.engine = args.engine;
    this.inspectorPort = args.inspectorPort;
    this.#env = args.env;
    this.#nodeArgs = args.nodeArgs;
    this.#entry = args.entry;
    this.#dataDir = args.dataDir;
    this.#dropDatabase = args.dropDatabase;
  }

  static async start(options: GatewayOptions): Promise<BenchGateway> {
    const port = await freePort();
    const adminToken = randomBytes(24).toString("base64url");
    const dataDir = await mkdtemp(join(tmpdir(), "clofri-bench-"));
    const env: Record<string, string> = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ADMIN_TOKEN: adminToken,
      ...LOAD_LIMITS,
      ...options.env,
    };
    let dropDatabase: (() => Promise<void>) | undefined;
    if (options.engine === "postgres" && options.databaseUrl !== undefined) {
      env.DATABASE_URL = options.databaseUrl;
    } else if (options.engine === "postgres") {
      const created = await createDatabase(options.postgresUrl ?? DEFAULT_POSTGRES_URL);
      env.DATABASE_URL = created.url;
      dropDatabase = created.drop;
    }
    const inspectorPort = options.withInspector ? await freePortOtherThan(port) : undefined;
    const nodeArgs = options.nodeArgs ?? [];
    const gateway = new BenchGateway({
      port,
      adminToken,
      engine: options.engine,
      inspectorPort,
      env,
      nodeArgs:
        inspectorPort === undefined
          ? nodeArgs
          : [...nodeArgs, `--inspect=127.0.0.1:${inspectorPort}`],
      entry: options.entry ?? GATEWAY_ENTRY,
      dataDir,
      dropDatabase,
    });
    await gateway.#spawn();
    return gateway;
  }

  get pid(): number {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error("the gateway is not running");
    return pid;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIGTERM (every socket gets 1001), waits for the exit, starts again on the same port and data. */
  async restart(): Promise<{ stoppedMs: number; startedMs: number }> {
    const t0 = performance.now();
    await this.stop("SIGTERM");
    const stoppedMs = performance.now() - t0;
    await this.#spawn();
    return { stoppedMs, startedMs: performance.now() - t0 };
  }

  /** Signals the process and resolves once it has exited. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    this.#child = undefined;
  }

  /** Stops the gateway and removes its data directory and database. */
  async dispose(): Promise<void> {
    await this.stop("SIGTERM");
    await rm(this.#dataDir, { recursive: true, force: true });
    await this.#dropDatabase?.();
  }

  async #spawn(): Promise<void> {
    const child = spawn(process.execPath, [...this.#nodeArgs, "--import", "tsx", this.#entry], {
      env: { ...process.env, ...this.#env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    this.#child = child;
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
      try {
        const response = await fetch(`${this.httpUrl}/health`);
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the gateway did not answer /health within ${START_TIMEOUT_MS} ms`);
  }
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Neither port is bound until the gateway starts, so the second pick could repeat the first. */
async function freePortOtherThan(taken: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port !== taken) return port;
  }
}

/** A fresh database on the server, dropped afterwards. */
export async function createDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clofri_bench_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
