// Browser tests: the real web client in Debian's Chromium (playwright-core) against the real
// gateway in this process, over an in-memory PGlite. Without Chromium (CHROMIUM_PATH),
// `browserSkipReason()` skips the suite, so `npm test` still passes where it is missing.
import assert from "node:assert/strict";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type BrowserContext, chromium, errors, type Page } from "playwright-core";
import { loadConfig } from "../../gateway/src/config.ts";
import type { DatabaseHandle } from "../../gateway/src/db/create-database.ts";
import { testEngines } from "../../gateway/src/db/test-engines.ts";
import { type Gateway, startGateway } from "../../gateway/src/gateway.ts";
import { createLogger } from "../../gateway/src/obs/logger.ts";
import { CapturingMailer } from "../../gateway/test/harness.ts";
import { PortForwarder } from "./port-forwarder.ts";
import { preparedWebDist, REPO_ROOT } from "./web-build.ts";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** STACK.md's flags for Debian's Chromium in a container, headless. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOT_DIR = join(REPO_ROOT, "test-artifacts/screenshots");
const DEFAULT_VIEWPORT = { width: 1280, height: 800 };
/** Every browser comes from 127.0.0.1: per-IP budgets would throttle the test, not a user. */
const TEST_ENV: Readonly<Record<string, string>> = {
  REST_REQUESTS_PER_MINUTE: "100000",
  MAGIC_LINKS_PER_15_MIN: "1000",
};
const CSP_BINDING = "__clofriReportCspViolation";

/** `false` when Chromium is installed; else the one-line reason to pass as node:test's `skip`. */
export function browserSkipReason(): string | false {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return false;
  } catch {
    // Not there or not executable: the reason names the path and the fix.
    return `browser tests skipped: Chromium not found at ${CHROMIUM_PATH} — apt-get install chromium (or set CHROMIUM_PATH)`;
  }
}

export interface BrowserHarnessOptions {
  /** Gateway configuration, e.g. `{ IDLE_AFTER_MS: "1500", HEARTBEAT_MS: "500" }`. */
  env?: Record<string, string>;
}

export interface UserOptions {
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
}

/**
 * Waits until `condition`, run in the page, is true, for up to `timeoutMs`; then returns either
 * way, so that the assertion after it checks the state and says what it found. For what no
 * locator can wait for (an input's value, the title) before a read that does not wait itself:
 * `inputValue()`, `page.title()`. Pass an unnamed arrow function (tsx would wrap a named one in
 * a `__name` call the page does not have).
 */
export async function settled(
  page: Page,
  condition: (arg: string) => boolean,
  arg: string,
  timeoutMs = 5_000,
): Promise<void> {
  try {
    await page.waitForFunction(condition, arg, { timeout: timeoutMs });
  } catch (error) {
    if (!(error instanceof errors.TimeoutError)) throw error;
  }
}

/**
 * Waits for the app's state to have arrived (the WebSocket `hello`): the header's presence switch
 * only renders once it knows who I am. Home and the friends page render their headings, and their
 * "nobody" and "none yet" lines, before that.
 */
export async function helloArrived(page: Page): Promise<void> {
  await page.locator("#mode-quick").waitFor({ state: "attached" });
}

/** Registers `before` (start) and `after` (close everything) in the enclosing suite. */
export function useBrowserHarness(options: BrowserHarnessOptions = {}): BrowserHarness {
  const harness = new BrowserHarness(options);
  before(() => harness.start());
  after(() => harness.close());
  return harness;
}

/** One gateway (restartable on its port over the same database) and the browsers of its users. */
export class BrowserHarness {
  /** Captures every mail the gateway sends (magic links), across restarts. */
  readonly mailer = new CapturingMailer();
  readonly #env: Record<string, string>;
  readonly #users: BrowserUser[] = [];
  #database: DatabaseHandle | undefined;
  #gateway: Gateway | undefined;
  readonly #forwarder = new PortForwarder();
  #distDir: string | undefined;
  #origin: string | undefined;

  constructor(options: BrowserHarnessOptions = {}) {
    this.#env = { ...TEST_ENV, ...options.env };
  }

  /** Builds the web client if stale, opens the database and starts the gateway on a free port. */
  async start(): Promise<void> {
    this.#distDir = await preparedWebDist();
    const pglite = testEngines().find((engine) => engine.name === "pglite");
    if (!pglite) throw new Error("the PGlite test engine is missing");
    this.#database = await pglite.open();
    this.#origin = `http://localhost:${await this.#forwarder.listen()}`;
    await this.startGateway();
  }

  /** The running gateway (its realtime layer, context). Browsers reach it through `origin`. */
  get gateway(): Gateway {
    if (!this.#gateway) throw new Error("the gateway is not running");
    return this.#gateway;
  }

  get database(): DatabaseHandle {
    if (!this.#database) throw new Error("the harness is not started");
    return this.#database;
  }

  /** `http://localhost:<port>`: the gateway's APP_ORIGIN, the same across restarts. */
  get origin(): string {
    if (!this.#origin) throw new Error("the harness is not started");
    return this.#origin;
  }

  url(path: string): string {
    return new URL(path, this.origin).href;
  }

  /** The link (`${origin}/sign-in/verify#token=…[&next=…]`) of the next unread mail to `email`. */
  async magicLink(email: string): Promise<string> {
    const mail = await this.mailer.next(email);
    const link = /https?:\/\/\S+#token=\S+/.exec(mail.text)?.[0];
    if (!link) throw new Error(`no sign-in link in the mail to ${email}: ${mail.text}`);
    return link;
  }

  /**
   * Signs `user` in through the API (magic link requested, then verified), so the session cookie
   * is in their browser before the page loads: for tests about anything but the sign-in screens.
   */
  async signIn(user: BrowserUser, email: string): Promise<void> {
    const headers = { origin: this.origin };
    const asked = await user.context.request.post(this.url("/auth/magic-link"), {
      headers,
      data: { email },
    });
    if (asked.status() !== 202) throw new Error(`magic link for ${email}: ${await asked.text()}`);
    const fragment = new URL(await this.magicLink(email)).hash.slice(1);
    const token = new URLSearchParams(fragment).get("token");
    const verified = await user.context.request.post(this.url("/auth/magic-link/verify"), {
      headers,
      data: { token },
    });
    if (verified.status() !== 200) throw new Error(`sign-in of ${email}: ${await verified.text()}`);
  }

  /**
   * `signIn`, then the mark the web client sets once it has signed in (session.ts), so a page it
   * loads connects at once instead of showing the sign-in page first.
   */
  async signInToApp(user: BrowserUser, email: string): Promise<void> {
    await this.signIn(user, email);
    await user.context.addInitScript(() => localStorage.setItem("clofri.signedIn", "1"));
  }

  /**
   * Starts the gateway over the harness's database and lets browsers in at `origin` again.
   * `env` adds to (and wins over) the harness's configuration for this start only.
   */
  async startGateway(env: Record<string, string> = {}): Promise<void> {
    if (this.#gateway) throw new Error("the gateway is already running");
    // The gateway itself takes a free port each time; browsers use the forwarder's fixed one.
    const config = loadConfig({
      LOG_LEVEL: "silent",
      ...this.#env,
      ...env,
      HOST: "127.0.0.1",
      PORT: "0",
      APP_ORIGIN: this.origin,
      WEB_DIST_DIR: this.#distDir ?? "",
    });
    this.#gateway = await startGateway({
      config,
      logger: createLogger(config.logLevel),
      database: this.database,
      mailer: this.mailer,
    });
    await this.#forwarder.forwardTo(this.#gateway.port);
  }

  /**
   * Shuts the gateway down as SIGTERM would (WebSockets closed with 1001), keeping the database;
   * then every connection to `origin` ends and new ones are refused, as when the process exits.
   */
  async stopGateway(): Promise<void> {
    const gateway = this.#gateway;
    this.#gateway = undefined;
    await gateway?.shutdown();
    this.#forwarder.pause();
  }

  /** stopGateway, then startGateway: same origin, same database, same mailer. */
  async restartGateway(env: Record<string, string> = {}): Promise<void> {
    await this.stopGateway();
    await this.startGateway(env);
  }

  /** A fresh browser profile (its own cookies and storage) with one open tab, `user.page`. */
  async openUser(name: string, options: UserOptions = {}): Promise<BrowserUser> {
    const profileDir = mkdtempSync(join(tmpdir(), "clofri-chromium-"));
    try {
      const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: options.viewport ?? DEFAULT_VIEWPORT,
        colorScheme: options.colorScheme ?? "light",
      });
      const user = await BrowserUser.attach(name, context, profileDir);
      this.#users.push(user);
      return user;
    } catch (error) {
      rmSync(profileDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Closes every browser, the gateway and the database; safe to call twice. */
  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (const user of this.#users.splice(0)) {
      await user.close().catch((error: unknown) => failures.push(error));
    }
    await this.stopGateway().catch((error: unknown) => failures.push(error));
    this.#forwarder.close();
    const database = this.#database;
    this.#database = undefined;
    await database?.close().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, "closing the browser harness");
  }
}

/** What went wrong in one page, as a user's console would show it. */
export interface PageProblems {
  /** `console.error` and the browser's own errors (failed loads, refused connections). */
  readonly consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  readonly pageErrors: string[];
  /** Content-Security-Policy violations (securitypolicyviolation events). */
  readonly cspViolations: string[];
}

export class BrowserUser {
  readonly name: string;
  readonly context: BrowserContext;
  readonly #profileDir: string;
  readonly #problems = new Map<Page, PageProblems>();

  private constructor(name: string, context: BrowserContext, profileDir: string) {
    this.name = name;
    this.context = context;
    this.#profileDir = profileDir;
  }

  static async attach(name: string, context: BrowserContext, dir: string): Promise<BrowserUser> {
    const user = new BrowserUser(name, context, dir);
    await context.exposeBinding(CSP_BINDING, ({ page }, text: string) => {
      user.problems(page).cspViolations.push(text);
    });
    await context.addInitScript((binding: string) => {
      document.addEventListener("securitypolicyviolation", (event) => {
        const report = (window as unknown as Record<string, (text: string) => void>)[binding];
        const source = event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : "";
        report?.(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}${source}`);
      });
    }, CSP_BINDING);
    for (const page of context.pages()) user.#watch(page);
    context.on("page", (page) => user.#watch(page));
    return user;
  }

  /** The first tab. */
  get page(): Page {
    const [page] = this.context.pages();
    if (!page) throw new Error(`${this.name} has no open tab`);
    return page;
  }

  /** Another tab of the same user (same cookies). */
  newPage(): Promise<Page> {
    return this.context.newPage();
  }

  /** The problems seen so far in `page` (default: the first tab). */
  problems(page: Page = this.page): PageProblems {
    let problems = this.#problems.get(page);
    if (!problems) {
      problems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
      this.#problems.set(page, problems);
    }
    return problems;
  }

  /**
   * Fails the test if any of this user's tabs had a console error, an uncaught error or a CSP
   * violation; `ignore` lists expected ones (e.g. a refused WebSocket while the gateway restarts).
   */
  expectNoProblems(options: { ignore?: RegExp[] } = {}): void {
    const ignore = options.ignore ?? [];
    const found: string[] = [];
    for (const [page, problems] of this.#problems) {
      for (const [kind, lines] of Object.entries(problems) as Array<[string, string[]]>) {
        for (const line of lines) {
          if (!ignore.some((pattern) => pattern.test(line))) {
            found.push(`${kind} (${page.url()}): ${line}`);
          }
        }
      }
    }
    assert.deepEqual(found, [], `${this.name}'s browser reported problems`);
  }

  /** Saves a PNG of `page` (default: the first tab) as test-artifacts/screenshots/<label>.png. */
  screenshot(label: string, page: Page = this.page): Promise<string> {
    return screenshot(page, label);
  }

  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      rmSync(this.#profileDir, { recursive: true, force: true });
    }
  }

  #watch(page: Page): void {
    const problems = this.problems(page);
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const { url, lineNumber } = message.location();
      problems.consoleErrors.push(
        url ? `${message.text()} (${url}:${lineNumber})` : message.text(),
      );
    });
    page.on("pageerror", (error) => {
      problems.pageErrors.push(error.stack ?? error.message);
    });
  }
}

/** Saves a PNG of the page's viewport as test-artifacts/screenshots/<label>.png; returns the path. */
async function screenshot(page: Page, label: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${label.replace(/[^A-Za-z0-9._-]+/g, "-")}.png`);
  await page.screenshot({ path });
  return path;
}
