// The gateway's memory footprint (docs/BENCHMARKS.md, "Footprint"): the bundled gateway run as
// `npm start` runs it, on PGlite and on Postgres, sampled idle after start, after fixtures of
// 10,000 users, after 2,000 users connect, join a room and leave, and after a restart on the same
// data; the time from spawning `node` to `/health` answering; and bare PGlite beside it.
//   npm run bench:footprint        (builds first; Postgres from TEST_DATABASE_URL, DATABASE_URL
//                                   or postgres://postgres@127.0.0.1:5432/test, skipped if down)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { PGLITE_START_PARAMS } from "../apps/gateway/src/db/pglite-cluster.ts";
import { createDatabase, DEFAULT_POSTGRES_URL, freePort } from "./bench-gateway.ts";
import { collectGarbage } from "./bench-inspector.ts";
import {
  type BareSample,
  connectAndLeave,
  type Sample,
  sampleBarePglite,
  sampleGateway,
} from "./footprint-probes.ts";
import { GATEWAY_BUNDLE } from "./gateway-build.ts";
import { mintUsers } from "./loadtest-fixtures.ts";

const USERS = 10_000;
const GROUP_SIZE = 4;
const CONNECTIONS = 2_000;
const CONNECT_CONCURRENCY = 50;
/** Idle time before each sample: V8's memory reducer shrinks the heap 20–30 s after a burst. */
const SETTLE_MS = 30_000;
const HEALTH_POLL_MS = 10;
const START_TIMEOUT_MS = 60_000;

type Engine = "pglite" | "postgres";

class Gateway {
  #child: ChildProcess | undefined;
  #stderr = "";
  port = 0;
  /** The inspector, listening but unused until a sample asks for a full GC. */
  inspectorPort = 0;
  readonly adminToken = randomBytes(24).toString("base64url");

  constructor(readonly env: Record<string, string>) {}

  get pid(): number {
    if (this.#child?.pid === undefined) throw new Error("the gateway is not running");
    return this.#child.pid;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Spawns `node <bundle>`; resolves with the milliseconds until `/health` answered 200. */
  async start(): Promise<number> {
    this.inspectorPort = await freePort();
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [`--inspect=127.0.0.1:${this.inspectorPort}`, GATEWAY_BUNDLE],
      {
        env: { PATH: process.env.PATH, ADMIN_TOKEN: this.adminToken, ...this.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.#child = child;
    this.#stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    const listening = new Promise<number>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const port = /"event":"listening".*"port":(\d+)/.exec(line)?.[1];
        if (port !== undefined) resolve(Number(port));
      });
    });
    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code) =>
        reject(new Error(`the gateway exited with ${code}: ${this.#stderr}`)),
      );
    });
    this.port = await Promise.race([listening, exited]);
    while (performance.now() - started < START_TIMEOUT_MS) {
      const response = await fetch(`${this.httpUrl}/health`).catch(() => undefined);
      if (response?.status === 200) return performance.now() - started;
      await sleep(HEALTH_POLL_MS);
    }
    throw new Error(`no /health within ${START_TIMEOUT_MS} ms`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

interface Row {
  engine: string;
  phase: string;
  startMs?: number | undefined;
  idle: Sample;
  /** After full garbage collections: what is live, not what garbage the last work left. */
  collected: Sample;
}

async function settledSamples(gateway: Gateway): Promise<Pick<Row, "idle" | "collected">> {
  await sleep(SETTLE_MS);
  const idle = await sampleGateway(gateway.pid, gateway.httpUrl);
  await collectGarbage(gateway.inspectorPort);
  return { idle, collected: await sampleGateway(gateway.pid, gateway.httpUrl) };
}

async function benchEngine(engine: Engine, env: Record<string, string>): Promise<Row[]> {
  const rows: Row[] = [];
  const record = async (gateway: Gateway, phase: string, startMs?: number) => {
    const row = { engine, phase, startMs, ...(await settledSamples(gateway)) };
    console.log(formatRow(row));
    rows.push(row);
  };
  const gateway = new Gateway({ HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env });
  try {
    await record(gateway, "started, empty data", await gateway.start());
    const layout = { users: USERS, groupSize: GROUP_SIZE, groupsPerUser: 1 } as const;
    const specs = await mintUsers(
      gateway.httpUrl,
      gateway.adminToken,
      { ...layout, join: "first", isSending: false, befriend: "group" },
      (line) => console.log(`  ${engine}: ${line}`),
    );
    await record(gateway, `after fixtures (${USERS} users)`);
    const users = specs
      .slice(0, CONNECTIONS)
      .map((spec) => ({ token: spec.token, group: spec.joinGroups[0] ?? "" }));
    await connectAndLeave(`ws://127.0.0.1:${gateway.port}/ws`, users, CONNECT_CONCURRENCY);
    await record(gateway, `after ${CONNECTIONS} connect, join, leave`);
    await gateway.stop();
    await record(gateway, "restarted on that data", await gateway.start());
  } finally {
    await gateway.stop();
  }
  return rows;
}

async function benchPglite(): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), "clofri-footprint-"));
  try {
    return await benchEngine("pglite", { DATA_DIR: dataDir });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(serverUrl: string): Promise<Row[]> {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  try {
    database = await createDatabase(serverUrl);
  } catch (error) {
    console.log(`postgres: skipped, ${serverUrl} does not answer (${(error as Error).message})`);
    return [];
  }
  const dataDir = await mkdtemp(join(tmpdir(), "clofri-footprint-"));
  try {
    return await benchEngine("postgres", { DATABASE_URL: database.url, DATA_DIR: dataDir });
  } finally {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Node alone, bare `new PGlite()` on an empty and an existing data dir, then Clofri's settings. */
async function benchBare(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "clofri-footprint-bare-"));
  const dataDir = join(dir, "pglite");
  const tuned = { dataDir, startParams: PGLITE_START_PARAMS };
  const oneCompileThread = ["--wasm-num-compilation-tasks=1"];
  const cases: Array<[string, Record<string, unknown> | null, string[]]> = [
    ["node alone", null, []],
    ["new PGlite(), empty data dir", { dataDir }, []],
    ["new PGlite(), existing data dir", { dataDir }, []],
    ["+ Clofri's startParams", tuned, []],
    ["+ one wasm compile thread (= Clofri)", tuned, oneCompileThread],
    // Not used: no optimized wasm code at all, measured here for what it would save.
    ["+ Liftoff only (not used)", tuned, ["--liftoff-only"]],
  ];
  try {
    for (const [name, options, v8Flags] of cases) {
      console.log(formatBare(name, await sampleBarePglite(options, SETTLE_MS, v8Flags)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const COLUMNS = [
  "engine",
  "phase",
  "node → /health",
  "RSS",
  "anon",
  "file",
  "heap used",
  "heap total",
  "external",
  "wasm heap resident",
];

/** One markdown table row (docs/BENCHMARKS.md takes them as they are); sizes in MB. */
function tableRow(cells: ReadonlyArray<string | number>): string {
  const text = cells.map((cell) => (typeof cell === "number" ? cell.toFixed(0) : cell));
  return `| ${text.join(" | ")} |`;
}

function sampleCells(s: Sample): number[] {
  return [s.rssMb, s.anonMb, s.fileMb, s.heapUsedMb, s.heapTotalMb, s.externalMb, s.wasmResidentMb];
}

const seconds = (ms: number | undefined) => (ms === undefined ? "" : `${(ms / 1000).toFixed(2)} s`);

function formatRow({ engine, phase, startMs, idle, collected }: Row): string {
  return [
    tableRow([engine, phase, seconds(startMs), ...sampleCells(idle)]),
    tableRow([engine, "… after a full GC", "", ...sampleCells(collected)]),
  ].join("\n");
}

function formatBare(name: string, sample: BareSample): string {
  const wasm = `${sample.wasmResidentMb.toFixed(0)} of ${sample.wasmMb.toFixed(0)}`;
  const cells = sampleCells(sample).slice(0, -1);
  return tableRow(["bare", name, seconds(sample.startMs), ...cells, wasm]);
}

async function main(): Promise<void> {
  console.log(
    `Sizes in MB, each sampled after ${SETTLE_MS / 1000} s idle; node ${process.version}\n`,
  );
  console.log(tableRow(COLUMNS));
  console.log(tableRow(COLUMNS.map(() => "---")));
  await benchPglite();
  await benchPostgres(
    process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL,
  );
  await benchBare();
}

await main();
