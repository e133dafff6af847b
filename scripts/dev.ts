// `npm run dev`: rebuilds the web client and the gateway bundle on every change and restarts the
// gateway on the new build (with source maps). Ctrl-C stops everything.
import { type ChildProcess, fork, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { context } from "esbuild";
import { GATEWAY_BUNDLE, gatewayBuildOptions } from "./gateway-build.ts";

const WEB_BUILD = fileURLToPath(new URL("../apps/web/build.mjs", import.meta.url));
/** Saving several files, or one change rebuilding both apps, restarts the gateway once. */
const RESTART_DEBOUNCE_MS = 150;

/** The gateway process: one at a time, each stopped (SIGTERM, graceful) before the next starts. */
class GatewayRunner {
  #child: ChildProcess | undefined;
  #timer: NodeJS.Timeout | undefined;
  #restarting: Promise<void> = Promise.resolve();
  /** The first start waits for both apps' first builds. */
  readonly #unbuilt = new Set<"web" | "gateway">(["web", "gateway"]);

  requestRestart(rebuilt: "web" | "gateway"): void {
    this.#unbuilt.delete(rebuilt);
    if (this.#unbuilt.size > 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#restarting = this.#restarting.then(() => this.#restart());
    }, RESTART_DEBOUNCE_MS);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#restarting;
    await this.#stopChild();
  }

  async #restart(): Promise<void> {
    await this.#stopChild();
    console.log("dev: starting the gateway");
    this.#child = spawn(process.execPath, ["--enable-source-maps", GATEWAY_BUNDLE], {
      stdio: "inherit",
    });
  }

  async #stopChild(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

const gateway = new GatewayRunner();

const gatewayBuild = await context({
  ...gatewayBuildOptions,
  plugins: [
    ...(gatewayBuildOptions.plugins ?? []),
    {
      name: "clofri-dev-restart",
      setup(build) {
        build.onEnd((result) => {
          if (result.errors.length === 0) gateway.requestRestart("gateway");
        });
      },
    },
  ],
});
await gatewayBuild.watch();

// Its own process: the web build is a plain-node script that says when a build is written.
const webBuild = fork(WEB_BUILD, ["--watch"], { execArgv: [], stdio: "inherit" });
webBuild.on("message", (message: { event?: string }) => {
  if (message.event === "web_built") gateway.requestRestart("web");
});

let isStopping = false;
async function stopAll(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  webBuild.kill("SIGTERM");
  await gatewayBuild.dispose();
  await gateway.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stopAll());
process.on("SIGTERM", () => void stopAll());
