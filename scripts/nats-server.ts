// A local nats-server for the developer tools (`npm run cluster`, `npm run bench -- e`): Debian's
// binary with JetStream on, its store in a temporary directory of its own, on loopback at a given
// or a free port. (The tests have their own, apps/gateway/src/cluster/testing/nats-server.ts,
// which can also restart on the same port; this one stops gracefully.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `apt-get install nats-server`; another binary with NATS_SERVER_PATH. */
export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? "/usr/sbin/nats-server";

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface LocalNatsOptions {
  /** Port to listen on; omitted or 0: a free one. */
  port?: number;
  /** In a process group of its own, so that Ctrl-C in a terminal reaches only its parent. */
  isDetached?: boolean;
}

export class LocalNatsServer {
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`: nats-server's monitoring endpoint. */
  readonly monitorUrl: string;

  private constructor(child: ChildProcess, dir: string, ports: Ports) {
    this.#child = child;
    this.#dir = dir;
    this.port = ports.port;
    this.monitorUrl = ports.monitorUrl;
  }

  /** Starts the server and resolves once it has written the port it listens on. */
  static async start(options: LocalNatsOptions = {}): Promise<LocalNatsServer> {
    if (!existsSync(NATS_SERVER_PATH)) {
      throw new Error(
        `nats-server not found at ${NATS_SERVER_PATH} (apt-get install nats-server, or set NATS_SERVER_PATH)`,
      );
    }
    const dir = await mkdtemp(join(tmpdir(), "clofri-nats-"));
    // `-m -1`: the monitoring endpoint (/varz, /connz, /subsz) on a free port.
    const args = ["-a", "127.0.0.1", "-p", String(options.port || -1), "-m", "-1", "-js"];
    args.push("-sd", join(dir, "js"), "--ports_file_dir", dir);
    const child = spawn(NATS_SERVER_PATH, args, {
      stdio: "ignore",
      detached: options.isDetached ?? false,
    });
    try {
      return new LocalNatsServer(child, dir, await readPorts(child, dir));
    } catch (error) {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  /** At once, without waiting (this process is exiting). */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  /** SIGTERM (SIGKILL after 5 s), then removes the store. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}

interface Ports {
  port: number;
  monitorUrl: string;
}

/** nats-server writes `nats-server_<pid>.ports` once it listens: its ports, even when it chose them. */
async function readPorts(child: ChildProcess, dir: string): Promise<Ports> {
  const file = `nats-server_${child.pid}.ports`;
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`nats-server exited with ${child.exitCode} (is the port taken?)`);
    }
    if ((await readdir(dir)).includes(file)) {
      try {
        const ports = JSON.parse(await readFile(join(dir, file), "utf8")) as {
          nats: string[];
          monitoring: string[];
        };
        const url = ports.nats[0];
        const monitorUrl = ports.monitoring[0];
        if (url !== undefined && monitorUrl !== undefined) {
          return { port: Number(new URL(url).port), monitorUrl };
        }
      } catch {
        // Caught half-written: read it again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nats-server did not start within ${START_TIMEOUT_MS} ms`);
}
