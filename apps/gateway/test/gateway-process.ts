import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const MAIN = new URL("../src/main.ts", import.meta.url).pathname;

export interface LogLine {
  event?: string;
  level?: string;
  [field: string]: unknown;
}

/** The real gateway as an operator runs it: its own process, logs read from stdout. */
export class GatewayProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly dataDir: string;
  stderr = "";
  readonly #waiters: Array<{
    match: (line: LogLine) => boolean;
    resolve: (line: LogLine) => void;
  }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  readonly #ownsDataDir: boolean;

  /**
   * Pass `dataDir` to reuse one across processes (the caller removes it); else a temporary one.
   * `nodeArgs` replaces what node runs: by default the sources through tsx.
   */
  constructor(
    env: Record<string, string> = {},
    options: { dataDir?: string; nodeArgs?: readonly string[] } = {},
  ) {
    this.#ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "clofri-gw-"));
    this.child = spawn(process.execPath, options.nodeArgs ?? ["--import", "tsx", MAIN], {
      env: { PATH: process.env.PATH, PORT: "0", DATA_DIR: this.dataDir, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on("line", (text) => this.#onLine(text));
    }
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => resolve({ code, signal }));
    });
  }

  #onLine(text: string): void {
    if (!text.startsWith("{")) return;
    const line = JSON.parse(text) as LogLine;
    this.logs.push(line);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(line)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }

  /** Resolves with the first log line (past or future) that has this event. */
  waitForEvent(event: string): Promise<LogLine> {
    return this.waitForLine((line) => line.event === event);
  }

  /** Resolves with the first log line (past or future) that matches. */
  waitForLine(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  async port(): Promise<number> {
    const line = await Promise.race([
      this.waitForEvent("listening"),
      this.exited.then(({ code }) => {
        throw new Error(`gateway exited with ${code} before listening: ${this.stderr}`);
      }),
    ]);
    return line.port as number;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
    if (this.#ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
