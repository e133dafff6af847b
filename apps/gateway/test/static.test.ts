import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { loadConfig } from "../src/config.ts";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";

// Static files do not touch the database: one engine is enough.
const [engine] = testEngines();
if (!engine) throw new Error("no test database engine");

const INDEX_HTML = `<!doctype html><html><head><link rel="icon" href="data:,"><script type="module" src="/assets/main-AB12CD34.js"></script></head><body><div id="app"></div></body></html>\n`;
// Large enough that gzip pays off, as a real bundle does.
const SCRIPT = `${"console.log('clofri');\n".repeat(200)}`;
const STYLES = "body{color:red}";
const OUTSIDE_SECRET = "this file sits next to dist and must never be served";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request whose path goes out byte for byte (fetch would normalise `..` away). */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("the built web client", () => {
  let root: string;
  let t: TestGateway;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "clofri-static-"));
    const dist = join(root, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), INDEX_HTML);
    writeFileSync(join(dist, "assets", "main-AB12CD34.js"), SCRIPT);
    writeFileSync(join(dist, "assets", "main-EF56GH78.css"), STYLES);
    writeFileSync(join(dist, "robots.txt"), "User-agent: *\n");
    writeFileSync(join(dist, ".env"), "hidden");
    writeFileSync(join(root, "secret.txt"), OUTSIDE_SECRET);
    t = await startTestGateway(engine, { WEB_DIST_DIR: dist });
  });

  after(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("hashed assets are served with their type and cached for a year", async () => {
    const script = await fetch(`${t.base}/assets/main-AB12CD34.js`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(script.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await script.text(), SCRIPT);

    const styles = await fetch(`${t.base}/assets/main-EF56GH78.css`);
    assert.equal(styles.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(styles.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await styles.text(), STYLES);
  });

  test("every page path gets index.html, revalidated each time, under the strict CSP", async () => {
    for (const path of ["/", "/friends", "/g/123", "/sign-in/verify", "/join/abc?x=1", "/a/b/c"]) {
      const page = await fetch(`${t.base}${path}`);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8", path);
      assert.equal(page.headers.get("cache-control"), "no-cache", path);
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/, path);
      assert.equal(page.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(await page.text(), INDEX_HTML, path);
    }
  });

  test("other files in the build are served as they are, without the year-long cache", async () => {
    const robots = await fetch(`${t.base}/robots.txt`);
    assert.equal(robots.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(robots.headers.get("cache-control"), "no-cache");
    assert.equal(await robots.text(), "User-agent: *\n");
    const index = await fetch(`${t.base}/index.html`);
    assert.equal(await index.text(), INDEX_HTML);
  });

  test("HEAD answers the headers and length of GET without a body", async () => {
    const head = await raw(t.base, "/friends", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(head.headers["content-length"], String(Buffer.byteLength(INDEX_HTML)));
    assert.equal(head.body.length, 0);
  });

  test("gzip is sent only to clients that accept it", async () => {
    const path = "/assets/main-AB12CD34.js";
    const zipped = await raw(t.base, path, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.equal(zipped.headers.vary, "accept-encoding");
    assert.ok(zipped.body.length < Buffer.byteLength(SCRIPT) / 2);
    assert.equal(gunzipSync(zipped.body).toString(), SCRIPT);

    for (const acceptEncoding of [undefined, "br", "gzip;q=0", "gzip;q=0, *"]) {
      const headers: Record<string, string> = acceptEncoding
        ? { "accept-encoding": acceptEncoding }
        : {};
      const plain = await raw(t.base, path, { headers });
      assert.equal(plain.headers["content-encoding"], undefined, acceptEncoding);
      assert.equal(plain.headers.vary, "accept-encoding");
      assert.equal(plain.body.toString(), SCRIPT, acceptEncoding);
    }
  });

  test("a missing asset is a real 404, not the page", async () => {
    for (const path of ["/assets/main-00000000.js", "/assets"]) {
      const missing = await fetch(`${t.base}${path}`);
      assert.equal(missing.status, 404, path);
      assert.deepEqual(await missing.json(), {
        error: { code: "not_found", message: `no file at ${path}` },
      });
    }
    // A trailing slash is another spelling of a path: refused before any route (DECISIONS).
    const slashed = await fetch(`${t.base}/assets/`);
    assert.equal(slashed.status, 404);
    assert.equal(((await slashed.json()) as { error: { code: string } }).error.code, "not_found");
  });

  test("server paths keep their JSON 404 instead of the page", async () => {
    const paths = [
      "/api",
      "/api/nope",
      "/auth/nope",
      "/admin/nope",
      "/ws",
      "/health/x",
      "/metrics/x",
    ];
    for (const path of paths) {
      const response = await fetch(`${t.base}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8", path);
      assert.equal(
        ((await response.json()) as { error: { code: string } }).error.code,
        "not_found",
      );
    }
  });

  test("only GET and HEAD reach the page: other methods on page paths are 404", async () => {
    const response = await fetch(`${t.base}/friends`, { method: "POST", body: "" });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "not_found");
  });

  test("no path reaches a file outside the build or a hidden one", async () => {
    const attempts = [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/..%5csecret.txt",
      "//secret.txt",
      "/.env",
      "/assets/../.env",
    ];
    for (const path of attempts) {
      let response = await raw(t.base, path);
      // Another spelling of a path is sent to its one spelling, always a path on this origin.
      if (response.status === 308) {
        const location = String(response.headers.location);
        assert.match(location, /^\/(?![/\\])/, `${path} redirected off the origin`);
        response = await raw(t.base, location);
      }
      const body = response.body.toString();
      assert.ok(!body.includes(OUTSIDE_SECRET), `${path} leaked a file outside dist`);
      assert.ok(!body.includes("hidden"), `${path} served a dotfile`);
      assert.ok(
        response.status === 404 || body === INDEX_HTML,
        `${path}: expected a 404 or the page, got ${response.status}`,
      );
    }
  });
});

describe("the gateway without a web build", () => {
  let root: string;
  let t: TestGateway;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "clofri-static-"));
    t = await startTestGateway(engine, { WEB_DIST_DIR: join(root, "no-such-dist") });
  });

  after(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("starts, and pages answer 503 saying how to build the client", async () => {
    for (const path of ["/", "/friends"]) {
      const page = await fetch(`${t.base}${path}`);
      assert.equal(page.status, 503, path);
      assert.equal(page.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.match(await page.text(), /web client is not built.*npm run build -w apps\/web/);
    }
    assert.equal((await fetch(`${t.base}/assets/main-AB12CD34.js`)).status, 404);
  });

  test("the API is unaffected", async () => {
    assert.equal((await fetch(`${t.base}/health`)).status, 200);
    assert.equal((await fetch(`${t.base}/api/me`)).status, 401);
  });
});

describe("WEB_DIST_DIR", () => {
  test("defaults to apps/web/dist in this checkout, wherever the process started", () => {
    const { webDistDir } = loadConfig({});
    assert.ok(isAbsolute(webDistDir));
    assert.equal(webDistDir, new URL("../../web/dist", import.meta.url).pathname);
  });

  test("a relative directory is taken from the working directory", () => {
    assert.equal(
      loadConfig({ WEB_DIST_DIR: "build/web" }).webDistDir,
      join(process.cwd(), "build/web"),
    );
  });
});
