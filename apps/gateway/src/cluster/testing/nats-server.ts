import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's nats-server (`apt-get install nats-server`); another binary with NATS_SERVER_PATH. */
const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? "/usr/sbin/nats-server";

/** Why cluster tests cannot run here, or undefined when they can. */
export function natsServerMissing(): string | undefined {
  return existsSync(NATS_SERVER_PATH)
    ? undefined
    : `cluster tests skipped: nats-server not found at ${NATS_SERVER_PATH} (apt-get install nats-server, or set NATS_SERVER_PATH)`;
}

const START_TIMEOUT_MS = 5_000;

/**
 * A real nats-server with JetStream on a free loopback port, in a temporary directory of its own.
 * `stop()` and `start()` again keep the port, as a restarted server would.
 */
export class TestNatsServer {
  readonly #dir: string;
  #process: ChildProcess | undefined;
  #port = -1;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async start(): Promise<TestNatsServer> {
    const server = new TestNatsServer(await mkdtemp(join(tmpdir(), "clofri-nats-")));
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  get isRunning(): boolean {
    return this.#process !== undefined;
  }

  /** Starts the server (again, on the same port once it had one). */
  async start(): Promise<void> {
    if (this.#process !== undefined) return;
    const portsDir = join(this.#dir, "ports");
    await rm(portsDir, { recursive: true, force: true });
    const child = spawn(
      NATS_SERVER_PATH,
      [
        "-a",
        "127.0.0.1",
        "-p",
        String(this.#port),
        "-js",
        "-sd",
        join(this.#dir, "js"),
        "--ports_file_dir",
        this.#dir,
      ],
      { stdio: "ignore" },
    );
    this.#process = child;
    this.#port = await this.#readPort(child);
  }

  /** Stops the server at once (SIGKILL): clients see the connection drop. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    this.#process = undefined;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #readPort(child: ChildProcess): Promise<number> {
    const file = `nats-server_${child.pid}.ports`;
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if ((await readdir(this.#dir)).includes(file)) {
        const url = parsePorts(await readFile(join(this.#dir, file), "utf8"))?.nats?.[0];
        if (url !== undefined) return Number(new URL(url).port);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill("SIGKILL");
    throw new Error(`nats-server did not start within ${START_TIMEOUT_MS} ms`);
  }
}

/** The ports file's contents; undefined while the server is still writing it. */
function parsePorts(text: string): { nats?: string[] } | undefined {
  try {
    return JSON.parse(text) as { nats?: string[] };
  } catch {
    return undefined;
  }
}
