// A name carrying U+202E (RIGHT-TO-LEFT OVERRIDE) must not turn the sentence around it backwards:
// the client isolates every name. The server no longer lets such a name in; this one is a row
// from before the rule, written straight into the database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Locator } from "playwright-core";
import {
  type BrowserHarness,
  type BrowserUser,
  browserSkipReason,
  settled,
  useBrowserHarness,
} from "./browser-harness.ts";

const SPOOF = "\u202eevil";

/** Calls the API in `user`'s browser context (their session cookie, the app's Origin). */
async function apiAs<T>(
  web: BrowserHarness,
  user: BrowserUser,
  method: string,
  path: string,
  data?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await user.context.request.fetch(web.url(path), {
    method,
    headers: { origin: web.origin },
    ...(data === undefined ? {} : { data }),
  });
  const text = await response.text();
  return { status: response.status(), body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * Where, left to right, the first character of `word` and of `after` are drawn in `line`. Laid out
 * in reading order, the name comes first; a leaking override draws the rest of the line reversed,
 * to the name's left.
 */
async function drawnOrder(line: Locator, word: string, after: string): Promise<[number, number]> {
  // No named helpers inside: tsx would wrap them in a `__name` call the page does not have.
  const [name, rest] = await line.evaluate(
    (element, needles) =>
      needles.map((needle) => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent?.indexOf(needle) ?? -1;
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          return range.getBoundingClientRect().left;
        }
        throw new Error(`"${needle}" is not in "${element.textContent}"`);
      }),
    [word, after],
  );
  return [name ?? Number.NaN, rest ?? Number.NaN];
}

async function assertReadsInOrder(line: Locator, after: string): Promise<void> {
  await line.filter({ hasText: after }).waitFor();
  const [name, rest] = await drawnOrder(line, "evil", after);
  assert.ok(name < rest, `"${after}" is drawn after the name (${name} < ${rest})`);
  const isolated = await line.evaluate(
    (element, spoof) =>
      [...element.querySelectorAll("*")].some(
        (inner) => inner.textContent === spoof && getComputedStyle(inner).unicodeBidi === "isolate",
      ),
    SPOOF,
  );
  assert.ok(isolated, `the name sits in an isolated element in "${await line.textContent()}"`);
}

/** `other` asks `user` by code and `user` accepts; returns `other`'s id. */
async function befriend(
  web: BrowserHarness,
  user: BrowserUser,
  other: BrowserUser,
): Promise<string> {
  const { body: code } = await apiAs<{ code: string }>(web, user, "GET", "/api/friends/code");
  const asked = await apiAs<{ request: { id: string } }>(
    web,
    other,
    "POST",
    "/api/friends/requests",
    {
      code: code.code,
    },
  );
  assert.equal(asked.status, 201);
  await apiAs(web, user, "POST", `/api/friends/requests/${asked.body.request.id}/accept`);
  return (await apiAs<{ user: { id: string } }>(web, other, "GET", "/api/me")).body.user.id;
}

describe("names written right to left, in Chromium", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness();

  test("a spoofing name is isolated in every sentence, and the server refuses new ones", async () => {
    const alex = await web.openUser("bidi-alex");
    const sam = await web.openUser("bidi-sam");
    // Zed sorts after "evil" in "Seen by", and Lou, who never looks, keeps it from "everyone".
    const zed = await web.openUser("bidi-zed");
    const lou = await web.openUser("bidi-lou");
    await web.signInToApp(alex, "bidi-alex@example.com");
    await web.signInToApp(sam, "bidi-sam@example.com");
    await web.signInToApp(zed, "zed@example.com");
    await web.signIn(lou, "lou@example.com");
    await web.database.db
      .updateTable("users")
      .set({ display_name: SPOOF })
      .where("email", "=", "bidi-sam@example.com")
      .execute();

    const memberIds = [
      await befriend(web, alex, sam),
      await befriend(web, alex, zed),
      await befriend(web, alex, lou),
    ];
    const { body } = await apiAs<{ group: { id: string } }>(web, alex, "POST", "/api/groups", {
      name: "Couch",
      memberIds,
    });
    const groupPath = `/g/${body.group.id}`;

    await alex.page.goto(web.url(groupPath));
    await alex.page.getByRole("heading", { name: "Couch" }).waitFor();
    await sam.page.goto(web.url(groupPath));
    await assertReadsInOrder(alex.page.locator(".system"), " joined");

    await sam.page.getByRole("textbox", { name: "Message", exact: true }).pressSequentially("hi");
    await assertReadsInOrder(alex.page.locator(".typing"), " is typing");
    await alex.screenshot("bidi-typing-line");

    // Sam and Zed see Alex's message, Lou does not: "Seen by <evil>, zed", the name isolated.
    await zed.page.goto(web.url(groupPath));
    await zed.page.getByRole("heading", { name: "Couch" }).waitFor();
    const composer = alex.page.getByRole("textbox", { name: "Message", exact: true });
    await composer.fill("who's in?");
    await composer.press("Enter");
    await assertReadsInOrder(alex.page.locator(".seen-line").filter({ hasText: "evil" }), "zed");
    await alex.screenshot("bidi-seen-line");

    await alex.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Around" })
      .click();
    await assertReadsInOrder(alex.page.locator(".group-meta"), " are here");

    // The server: overrides are taken out, and a name with nothing visible is refused.
    const invisible = await apiAs<{ error: { message: string } }>(web, sam, "PATCH", "/api/me", {
      displayName: "\u200b\u200d",
    });
    assert.equal(invisible.status, 400);
    assert.equal(
      invisible.body.error.message,
      "displayName: expected at least one visible character",
    );
    const stripped = await apiAs<{ user: { displayName: string } }>(web, sam, "PATCH", "/api/me", {
      displayName: `${SPOOF} twin`,
    });
    assert.equal(stripped.body.user.displayName, "evil twin");

    // The profile page checks by the same rule before sending.
    await sam.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Profile" })
      .click();
    // The rename above reaches this tab as `profile_updated`, which resets the form to the saved
    // name: type only once it has, or the reset would take what was typed.
    const nameField = sam.page.getByLabel("Display name");
    await settled(
      sam.page,
      (name) =>
        (document.getElementById("display-name") as HTMLInputElement | null)?.value === name,
      "evil twin",
    );
    assert.equal(await nameField.inputValue(), "evil twin");
    await nameField.fill("\u200b");
    await sam.page.getByRole("button", { name: "Save" }).click();
    await sam.page.getByText("Display name: expected at least one visible character.").waitFor();

    alex.expectNoProblems();
    sam.expectNoProblems();
    zed.expectNoProblems();
  });
});
