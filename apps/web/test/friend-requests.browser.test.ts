// The Friends badge counts the pending requests the server has for me, like home and the
// friends page: after a reload too, and a request cancelled by its sender leaves it live.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BrowserHarness,
  type BrowserUser,
  browserSkipReason,
  useBrowserHarness,
} from "./browser-harness.ts";

async function askFriend(web: BrowserHarness, from: BrowserUser, code: string): Promise<string> {
  const response = await from.context.request.post(web.url("/api/friends/requests"), {
    headers: { origin: web.origin },
    data: { code },
  });
  assert.equal(response.status(), 201, await response.text());
  return ((await response.json()) as { request: { id: string } }).request.id;
}

describe("the friends badge", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness();

  test("equals the pending requests after a reload, and follows a cancelled one", async () => {
    const bob = await web.openUser("badge-bob");
    const ann = await web.openUser("badge-ann");
    const cat = await web.openUser("badge-cat");
    await web.signInToApp(bob, "badge-bob@example.com");
    await web.signIn(ann, "badge-ann@example.com");
    await web.signIn(cat, "badge-cat@example.com");
    const codeAnswer = await bob.context.request.get(web.url("/api/friends/code"));
    const { code } = (await codeAnswer.json()) as { code: string };

    const { page } = bob;
    const nav = page.getByRole("navigation", { name: "Main" });
    const badge = nav.getByRole("link", { name: /Friends/ }).locator(".badge");
    const homeRequests = page
      .getByRole("region", { name: "Friend requests" })
      .getByRole("listitem");
    await page.goto(web.url("/"));
    await page.getByRole("heading", { name: "Your groups" }).waitFor();
    const fromAnn = await askFriend(web, ann, code);
    await askFriend(web, cat, code);
    await badge.filter({ hasText: "2 new requests" }).waitFor();

    // The reload loads the lists once the socket is open: that load done, nothing asks again
    // unless the page moves, comes back into view or reconnects.
    const loaded = page.waitForResponse(
      (response) =>
        response.request().method() === "GET" &&
        new URL(response.url()).pathname === "/api/friends/requests",
    );
    await page.reload();
    await page.getByRole("heading", { name: "Your groups" }).waitFor();
    await loaded;
    await badge.filter({ hasText: "2 new requests" }).waitFor();
    assert.equal(await homeRequests.count(), 2, "home lists what the badge counts");

    // Ann cancels hers: the badge and home follow live, from friend_request_removed alone (no
    // navigation, no reload, no new load of the lists).
    const loads: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/friends/requests")) {
        loads.push(`${request.method()} ${request.url()}`);
      }
    });
    await page.evaluate("window.__sameDocument = true");
    const cancelled = await ann.context.request.delete(
      web.url(`/api/friends/requests/${fromAnn}`),
      { headers: { origin: web.origin } },
    );
    assert.equal(cancelled.status(), 204);
    await badge.filter({ hasText: "1 new request" }).waitFor();
    await homeRequests.nth(1).waitFor({ state: "detached" });
    assert.equal(await homeRequests.count(), 1, "home lists what the badge counts");
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");
    assert.equal(new URL(page.url()).pathname, "/");
    assert.deepEqual(loads, [], "the lists were not loaded again");

    await nav.getByRole("link", { name: /Friends/ }).click();
    await page.getByRole("heading", { name: "Friends", exact: true }).waitFor();
    await page.getByText("wants to be friends").waitFor();
    assert.equal(await page.getByText("wants to be friends").count(), 1);

    await page.getByRole("button", { name: "Ignore" }).click();
    await badge.waitFor({ state: "detached" });
    await page.getByText("wants to be friends").waitFor({ state: "detached" });
    bob.expectNoProblems();
  });
});
