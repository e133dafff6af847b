// `npm run cluster`: a cluster on this machine for a developer — a nats-server (JetStream on, its
// store in a temporary directory) and N gateways (default 3) on one Postgres, each on its own
// port. Ctrl-C sends SIGTERM to every gateway, waits for them, then stops nats-server.
//
//   npm run cluster                               3 gateways on :3000, :3001, :3002
//   npm run cluster -- --gateways 2 --port 4000   2 gateways on :4000, :4001
//   npm run cluster -- --nats-port 4222           nats-server on that port (default: a free one)
//   npm run cluster -- --no-build                 run the gateways from the TypeScript sources
//
// DATABASE_URL names the Postgres they share (default postgres://postgres@127.0.0.1:5432/test).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import pg from "pg";
import { GATEWAY_BUNDLE, ROOT } from "./gateway-build.ts";
import { LocalNatsServer } from "./nats-server.ts";

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
const START_TIMEOUT_MS = 60_000;
const DB_CONNECT_TIMEOUT_MS = 3_000;

interface Gateway {
  name: string;
  port: number;
  child: ChildProcess;
}

function refuse(message: string): never {
  process.stderr.write(`npm run cluster: ${message}\n`);
  process.exit(1);
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      gateways: { type: "string", default: "3" },
      port: { type: "string", default: "3000" },
      "nats-port": { type: "string", default: "0" },
      "no-build": { type: "boolean", default: false },
    },
  });
  const whole = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      refuse(`--${name} expects a whole number from ${min} to ${max}, got ${text}`);
    }
    return value;
  };
  const gateways = whole("gateways", values.gateways, 1, 32);
  return {
    gateways,
    firstPort: whole("port", values.port, 1, 65535 - gateways),
    natsPort: whole("nats-port", values["nats-port"], 0, 65535),
    isFromSource: values["no-build"],
  };
}

/** The gateways of a cluster share one Postgres: refuse with one line when it does not answer. */
async function checkDatabase(url: string): Promise<void> {
  let where = "DATABASE_URL";
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new Error();
    where = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    refuse("DATABASE_URL must be a postgres:// URL (the gateways of a cluster share one Postgres)");
  }
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    refuse(
      `no Postgres at ${where} (${reason}); start one or set DATABASE_URL=postgres://… — the gateways of a cluster share one Postgres (PGlite is one process's own)`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Each line a child writes, prefixed with its name. */
function prefixLines(child: ChildProcess, name: string): void {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => out.write(`${name} | ${line}\n`));
  }
}

function startGateway(
  name: string,
  port: number,
  env: Record<string, string>,
  isFromSource: boolean,
): Gateway {
  const args = isFromSource
    ? ["--import", "tsx", "apps/gateway/src/main.ts"]
    : ["--enable-source-maps", GATEWAY_BUNDLE];
  // Its own process group: Ctrl-C reaches this script alone, which stops the gateways in order.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), NODE_ID: name },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  prefixLines(child, name);
  return { name, port, child };
}

async function waitForHealth(gateway: Gateway): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (gateway.child.exitCode !== null) {
      throw new Error(`${gateway.name} exited with ${gateway.child.exitCode} while starting`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/health`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${gateway.name} did not answer /health within ${START_TIMEOUT_MS / 1000} s`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function main(): Promise<void> {
  const options = readOptions();
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  await checkDatabase(databaseUrl);
  if (!options.isFromSource) {
    const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (build.status !== 0) refuse("the build failed");
  }
  const nats = await LocalNatsServer.start({ port: options.natsPort, isDetached: true }).catch(
    (error: unknown) => refuse(error instanceof Error ? error.message : String(error)),
  );
  const gateways: Gateway[] = [];
  let isStopping = false;
  const stopAll = async (code: number): Promise<never> => {
    isStopping = true;
    const running = gateways.filter(
      (g) => g.child.exitCode === null && g.child.signalCode === null,
    );
    console.log(`cluster: stopping ${running.length} gateways (SIGTERM), then nats-server`);
    for (const gateway of running) gateway.child.kill("SIGTERM");
    await Promise.all(gateways.map((gateway) => exited(gateway.child)));
    await nats.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => {
    if (isStopping) {
      // A second Ctrl-C: no more waiting.
      for (const gateway of gateways) gateway.child.kill("SIGKILL");
      process.exit(130);
    }
    void stopAll(0);
  });
  process.on("SIGTERM", () => void stopAll(0));
  // Should this script die some other way, its detached children must not outlive it.
  process.on("exit", () => {
    for (const gateway of gateways) gateway.child.kill("SIGKILL");
    nats.kill();
  });
  const env = { NATS_URL: nats.url, DATABASE_URL: databaseUrl };
  try {
    // One after the other: the first applies pending migrations (and writes the dev admin token).
    for (let i = 0; i < options.gateways; i++) {
      const gateway = startGateway(`gw${i + 1}`, options.firstPort + i, env, options.isFromSource);
      gateways.push(gateway);
      gateway.child.on("exit", (code, signal) => {
        if (!isStopping)
          console.log(`cluster: ${gateway.name} exited (${signal ?? code}); the others go on`);
      });
      await waitForHealth(gateway);
    }
  } catch (error) {
    console.error(`npm run cluster: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
  }
  console.log(
    [
      "",
      `cluster: nats-server ${nats.url} (pid ${nats.pid}, JetStream on, monitoring ${nats.monitorUrl}), Postgres ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`,
      ...gateways.map(
        (g) => `  ${g.name}  http://localhost:${g.port}  (pid ${g.child.pid}; /health, /metrics)`,
      ),
      "Ctrl-C stops them all.",
      "",
    ].join("\n"),
  );
}

await main();
