// Presence modes, blocking, leaving for good and the debug view, in Chromium against a real
// gateway (PROTOCOL 1.1, "Presence modes, blocking, leaving for good").
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  type BrowserHarness,
  type BrowserUser,
  browserSkipReason,
  helloArrived,
  useBrowserHarness,
} from "./browser-harness.ts";

async function codeOf(web: BrowserHarness, user: BrowserUser): Promise<string> {
  const answer = await user.context.request.get(web.url("/api/friends/code"));
  return ((await answer.json()) as { code: string }).code;
}

/** `a` asks `b` by code and `b` accepts, through the API. */
async function befriend(web: BrowserHarness, a: BrowserUser, b: BrowserUser): Promise<void> {
  const headers = { origin: web.origin };
  const asked = await a.context.request.post(web.url("/api/friends/requests"), {
    headers,
    data: { code: await codeOf(web, b) },
  });
  assert.equal(asked.status(), 201, await asked.text());
  const { request } = (await asked.json()) as { request: { id: string } };
  const accepted = await b.context.request.post(
    web.url(`/api/friends/requests/${request.id}/accept`),
    { headers },
  );
  assert.equal(accepted.status(), 200, await accepted.text());
}

const aroundNow = (page: Page) => page.getByRole("region", { name: "Around now" });

describe("presence modes, blocks, deletion and the debug view", {
  skip: browserSkipReason(),
}, () => {
  const web = useBrowserHarness();

  test("appear offline and busy, seen from a friend's home, after a reload too", async () => {
    const ann = await web.openUser("modes-ann");
    const bob = await web.openUser("modes-bob");
    await web.signInToApp(ann, "modes-ann@example.com");
    await web.signInToApp(bob, "modes-bob@example.com");
    await befriend(web, bob, ann);
    await ann.page.goto(web.url("/"));
    await bob.page.goto(web.url("/"));
    const bobRow = aroundNow(ann.page).getByRole("listitem").filter({ hasText: "modes-bob" });
    await bobRow.waitFor();

    await bob.page.locator("#mode-quick").selectOption("offline");
    await bobRow.waitFor({ state: "detached" });
    await aroundNow(ann.page).getByText("Nobody's around right now").waitFor();
    await ann.page.reload();
    // Home says nobody's around before the hello too: the line counts once the hello is in.
    await helloArrived(ann.page);
    await aroundNow(ann.page).getByText("Nobody's around right now").waitFor();
    await bob.page.reload();
    await bob.page.getByRole("heading", { name: "Your groups" }).waitFor();
    assert.equal(await bob.page.locator("#mode-quick").inputValue(), "offline", "kept");

    await bob.page.locator("#mode-quick").selectOption("busy");
    await bobRow.filter({ hasText: "busy" }).waitFor();
    await ann.page.reload();
    await bobRow.filter({ hasText: "busy" }).waitFor();
    await bob.page.goto(web.url("/profile"));
    assert.equal(await bob.page.locator("#mode-profile").inputValue(), "busy");
    await bob.page.locator("#mode-profile").selectOption("auto");
    await bobRow.filter({ hasNotText: "busy" }).waitFor();
    ann.expectNoProblems();
    bob.expectNoProblems();
  });

  test("block a request: the blocked person's next request fails like an unknown code", async () => {
    const cora = await web.openUser("block-cora");
    const dex = await web.openUser("block-dex");
    await web.signInToApp(cora, "block-cora@example.com");
    await web.signInToApp(dex, "block-dex@example.com");
    const coraCode = await codeOf(web, cora);
    await dex.page.goto(web.url("/friends"));
    const addForm = dex.page.getByRole("region", { name: "Add a friend" });
    await addForm.getByLabel("Their friend code").fill(coraCode);
    await addForm.getByRole("button", { name: "Send request" }).click();
    await addForm.getByText("Request sent").waitFor();

    await cora.page.goto(web.url("/friends"));
    const request = cora.page.getByRole("listitem").filter({ hasText: "wants to be friends" });
    await request.getByRole("button", { name: "Block block-dex" }).click();
    await request.getByRole("button", { name: "Block block-dex" }).click();
    await request.waitFor({ state: "detached" });

    await addForm.getByLabel("Their friend code").fill("ZZZZZZZZ");
    await addForm.getByRole("button", { name: "Send request" }).click();
    const unknown = await addForm.getByRole("alert").textContent();
    await addForm.getByLabel("Their friend code").fill(coraCode);
    await addForm.getByRole("button", { name: "Send request" }).click();
    await addForm
      .getByRole("alert")
      .filter({ hasText: unknown ?? "" })
      .waitFor();
    assert.equal(await addForm.getByRole("alert").textContent(), unknown);

    await cora.page.goto(web.url("/profile"));
    const blocked = cora.page.getByRole("region", { name: "Blocked people" });
    await blocked.getByText("block-dex").waitFor();
    await blocked.getByRole("button", { name: "Unblock block-dex" }).click();
    await blocked.getByText("Nobody.", { exact: false }).waitFor();
    cora.expectNoProblems();
    dex.expectNoProblems({ ignore: [/status of 404/] });
  });

  test("deleting my account signs me out in every tab and on every device", async () => {
    const eve = await web.openUser("gone-eve");
    const eveLaptop = await web.openUser("gone-eve-laptop");
    await web.signInToApp(eve, "gone-eve@example.com");
    await web.signInToApp(eveLaptop, "gone-eve@example.com");
    const secondTab = await eve.newPage();
    await secondTab.goto(web.url("/friends"));
    await eveLaptop.page.goto(web.url("/"));
    await eveLaptop.page.getByRole("heading", { name: "Your groups" }).waitFor();
    await secondTab.getByRole("heading", { name: "Your friends" }).waitFor();
    // Connected too (the hello in), so that the sign-out is the live one, not a refused socket.
    await helloArrived(eveLaptop.page);
    await helloArrived(secondTab);
    await eve.page.goto(web.url("/profile"));
    const zone = eve.page.getByRole("region", { name: "Delete your account" });
    const button = zone.getByRole("button", { name: "Delete my account" });
    assert.equal(await button.isDisabled(), true, "not before the sentence is typed");
    await zone.getByLabel(/to confirm/).fill("delete my account");
    await button.click();
    for (const page of [eve.page, secondTab, eveLaptop.page]) {
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    }
    const status = await eveLaptop.page.evaluate(() => fetch("/api/me").then((r) => r.status));
    assert.equal(status, 401, "the other device's session is gone too");
    // The harness's sign-in mark runs in the new tab's about:blank too, where storage is denied.
    eve.expectNoProblems({ ignore: [/status of 401/, /localStorage.*Access is denied/] });
  });

  test("the debug view: a lazy chunk with frames, rooms and a socket to drop", async () => {
    const fay = await web.openUser("debug-fay");
    await web.signInToApp(fay, "debug-fay@example.com");
    const scripts: string[] = [];
    fay.page.on("request", (request) => {
      if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
    });
    await fay.page.goto(web.url("/"));
    await fay.page.getByRole("heading", { name: "Your groups" }).waitFor();
    assert.ok(!scripts.some((path) => path.includes("debug-panel")), "not loaded without ?debug");

    const created = await fay.context.request.post(web.url("/api/groups"), {
      headers: { origin: web.origin },
      data: { name: "Bench", memberIds: [] },
    });
    assert.equal(created.status(), 201, await created.text());
    const { group } = (await created.json()) as { group: { id: string } };
    await fay.page.goto(web.url(`/g/${group.id}?debug=1`));
    const panel = fay.page.getByRole("complementary", { name: "Debug view" });
    await panel.getByText("open", { exact: true }).waitFor();
    const room = panel.locator(`tr[data-group="${group.id}"]`);
    await room.filter({ hasText: "yes" }).waitFor();
    const epoch = await room.locator("td").nth(2).textContent();
    assert.match(epoch ?? "", /\S{4,}/, "the room's epoch");
    assert.ok(
      scripts.some((path) => path.includes("debug-panel")),
      "loaded as its own chunk",
    );
    const frames = panel.getByRole("list", { name: /Last \d+ frames/ });
    await frames.getByText('"type":"hello"').first().waitFor();
    await panel.getByRole("button", { name: "Drop socket" }).click();
    await panel.getByText(/waiting|connecting/).waitFor();
    await panel.getByText("open", { exact: true }).waitFor();
    await frames.getByText('"type":"hello"').nth(1).waitFor();
    await room.filter({ hasText: "yes" }).waitFor();
    assert.equal(await room.locator("td").nth(2).textContent(), epoch, "resumed in the same epoch");
    fay.expectNoProblems();
  });
});
