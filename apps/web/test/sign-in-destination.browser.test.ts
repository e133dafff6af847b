// An invite opened while signed out survives signing in, even when the emailed link is opened in
// another tab (the destination rides in the link, and this browser remembers it too).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  type BrowserHarness,
  type BrowserUser,
  browserSkipReason,
  useBrowserHarness,
} from "./browser-harness.ts";

/** Kim, signed in, makes a group and an invite link to it; returns the link. */
async function inviteLink(web: BrowserHarness, kim: BrowserUser, group: string): Promise<string> {
  const post = async <T>(path: string, data: unknown): Promise<T> => {
    const response = await kim.context.request.post(web.url(path), {
      headers: { origin: web.origin },
      data,
    });
    assert.equal(response.status(), 201, await response.text());
    return (await response.json()) as T;
  };
  const { group: made } = await post<{ group: { id: string } }>("/api/groups", { name: group });
  const { invite } = await post<{ invite: { link: string } }>(`/api/groups/${made.id}/invites`, {});
  return invite.link;
}

/** Opens the invite signed out and asks for a sign-in link from the page it is sent to. */
async function askToSignIn(web: BrowserHarness, page: Page, invite: string, email: string) {
  await page.goto(invite);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByText(`We sent a sign-in link to ${email}`).waitFor();
  return web.magicLink(email);
}

describe("signing in on the way to an invite", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness({
    env: { GOOGLE_CLIENT_ID: "google-client", GOOGLE_CLIENT_SECRET: "google-secret" },
  });
  const signedOutProbe = [/status of 401/];

  test("the magic link opened in another tab lands on the invite", async () => {
    const kim = await web.openUser("dest-kim");
    await web.signInToApp(kim, "dest-kim@example.com");
    const invite = await inviteLink(web, kim, "Porch");

    const lou = await web.openUser("dest-lou");
    const link = await askToSignIn(web, lou.page, invite, "dest-lou@example.com");
    assert.equal(
      new URLSearchParams(new URL(link).hash.slice(1)).get("next"),
      new URL(invite).pathname,
    );
    const otherTab = await lou.newPage();
    await otherTab.goto(link);
    await otherTab.getByText("dest-kim invited you to Porch (1 member).").waitFor();
    assert.equal(new URL(otherTab.url()).pathname, new URL(invite).pathname);
    await otherTab.getByRole("button", { name: "Join Porch" }).click();
    await otherTab.getByRole("heading", { name: "Porch" }).waitFor();
    lou.expectNoProblems({ ignore: signedOutProbe });
  });

  test("a link that carries no destination still lands there, remembered by this browser", async () => {
    const kim = await web.openUser("dest-kim-2");
    await web.signInToApp(kim, "dest-kim-2@example.com");
    const invite = await inviteLink(web, kim, "Stoop");

    const sam = await web.openUser("dest-sam");
    const link = await askToSignIn(web, sam.page, invite, "dest-sam@example.com");
    // As a mail client that cut the link short, or a link from before destinations, would have it.
    const bare = link.replace(/&next=[^&]*$/, "");
    assert.doesNotMatch(bare, /next=/);
    const otherTab = await sam.newPage();
    await otherTab.goto(bare);
    await otherTab.getByText("dest-kim-2 invited you to Stoop (1 member).").waitFor();
    // Used once: signing in again later starts from home.
    assert.equal(await otherTab.evaluate(() => localStorage.getItem("clofri.next")), null);
    sam.expectNoProblems({ ignore: signedOutProbe });
  });

  test("an OAuth sign-in starts with the destination for the gateway to keep", async () => {
    const kim = await web.openUser("dest-kim-3");
    await web.signInToApp(kim, "dest-kim-3@example.com");
    const invite = await inviteLink(web, kim, "Deck");
    const ann = await web.openUser("dest-ann");
    await ann.page.goto(invite);
    const google = ann.page.getByRole("link", { name: "Continue with Google" });
    await google.waitFor();
    const href = new URL((await google.getAttribute("href")) ?? "", web.origin);
    assert.equal(href.pathname, "/auth/google");
    assert.equal(href.searchParams.get("next"), new URL(invite).pathname);
    ann.expectNoProblems({ ignore: signedOutProbe });
  });
});
