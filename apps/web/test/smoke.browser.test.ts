import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page, Response } from "playwright-core";
import { browserSkipReason, useBrowserHarness } from "./browser-harness.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";
/** How the client learns nobody is signed in; Chromium logs every 4xx response as an error. */
const SIGNED_OUT_PROBE = /status of 401 .*\/api\/me:/;

/** Waits until the client has rendered something into its root. */
async function appRendered(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.getElementById("app")?.childElementCount ?? 0) > 0);
}

describe("the web client in Chromium", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness();

  test("the app loads under the real CSP with no console errors", async () => {
    const user = await web.openUser("smoke-index");
    // As a browser that has signed in before: the app opens on the home page, not sign-in.
    await web.signInToApp(user, "smoke@example.com");
    const response = await user.page.goto(web.url("/"));
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
    await user.page.getByRole("heading", { name: "Around now" }).waitFor();
    await user.screenshot("smoke-index-1280");
    user.expectNoProblems();
  });

  test("signed out, the app loads too; its only complaint is the 401 that says so", async () => {
    const user = await web.openUser("smoke-signed-out");
    await user.page.goto(web.url("/"));
    await user.page.getByRole("button", { name: "Email me a sign-in link" }).waitFor();
    await user.screenshot("smoke-signed-out-1280");
    user.expectNoProblems({ ignore: [SIGNED_OUT_PROBE] });
  });

  test("hashed assets come with a year-long immutable cache and their types", async () => {
    const user = await web.openUser("smoke-assets");
    await web.signIn(user, "assets@example.com");
    const assets: Response[] = [];
    user.page.on("response", (response) => {
      if (new URL(response.url()).pathname.startsWith("/assets/")) assets.push(response);
    });
    await user.page.goto(web.url("/"));
    await appRendered(user.page);
    const types = assets.map((response) => response.headers()["content-type"]);
    assert.ok(types.includes("text/javascript; charset=utf-8"), `scripts among ${types}`);
    for (const response of assets) {
      assert.equal(response.status(), 200, response.url());
      assert.match(response.url(), /\/assets\/[\w-]+-[A-Z0-9]{8}\.\w+$/, "a hashed name");
      assert.equal(response.headers()["cache-control"], IMMUTABLE, response.url());
    }
    user.expectNoProblems();
  });

  test("a deep link gets the app's page, which renders", async () => {
    const user = await web.openUser("smoke-deep-link");
    await web.signIn(user, "deep-link@example.com");
    for (const path of ["/friends", "/g/123", "/profile"]) {
      const response = await user.page.goto(web.url(path));
      assert.equal(response?.status(), 200, path);
      assert.equal(response?.headers()["content-type"], "text/html; charset=utf-8", path);
      assert.equal(response?.headers()["cache-control"], "no-cache", path);
      await appRendered(user.page);
    }
    user.expectNoProblems();
  });
});
