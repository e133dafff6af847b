// Two people in real Chromium against a real gateway: sign in by magic link, befriend by code,
// share a group, see each other, typing, messages, idle, a gateway restart, and a kick.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BrowserHarness,
  type BrowserUser,
  browserSkipReason,
  useBrowserHarness,
} from "./browser-harness.ts";
import { screenshots } from "./view-shots.ts";

const IDLE_AFTER_MS = 1_500;
/** While the gateway is down, refused and dropped connections are the expected sound of retrying. */
const DOWNTIME = [/net::ERR_/, /WebSocket connection to .* failed/];

const emailOf = (user: BrowserUser) => `${user.name}@example.com`;

/** Signs in through the emailed link and returns the (now used) link. */
async function signIn(web: BrowserHarness, user: BrowserUser): Promise<string> {
  const { page } = user;
  await page.goto(web.url("/sign-in"));
  await page.getByLabel("Email address").fill(emailOf(user));
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByText(`We sent a sign-in link to ${emailOf(user)}`).waitFor();
  const link = await web.magicLink(emailOf(user));
  assert.match(link, /\/sign-in\/verify#token=/);
  await page.goto(link);
  await page.getByRole("heading", { name: "Around now" }).waitFor();
  // The token left the address bar once used.
  assert.equal(new URL(page.url()).hash, "");
  return link;
}

const nav = (user: BrowserUser, name: string) =>
  user.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

describe("the web client, two people in Chromium", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness({
    env: { IDLE_AFTER_MS: String(IDLE_AFTER_MS), HEARTBEAT_MS: "1000" },
  });

  test("two friends hang out in a group, live, through a restart and a kick", async (t) => {
    const alex = await web.openUser("alex");
    const sam = await web.openUser("sam");
    let failed = false;
    // Each step needs the ones before it: after a failure the rest are skipped, not timed out.
    const step = (name: string, run: () => Promise<void>) =>
      t.test(name, async (st) => {
        if (failed) return st.skip("an earlier step failed");
        try {
          await run();
        } catch (error) {
          failed = true;
          throw error;
        }
      });
    const composer = (p: BrowserUser) =>
      p.page.getByRole("textbox", { name: "Message", exact: true });
    const chip = (p: BrowserUser, name: string) =>
      p.page
        .getByRole("list", { name: "In the room now" })
        .getByRole("listitem")
        .filter({ hasText: name });

    await step("both sign in through the emailed link", async () => {
      await signIn(web, alex);
      await signIn(web, sam);
    });

    await step("sam adds alex by code; alex accepts the live request", async () => {
      await nav(alex, "Friends").click();
      const code = (await alex.page.locator(".friend-code").textContent())?.trim() ?? "";
      assert.match(code, /^[0-9A-Z]{8}$/);
      await nav(sam, "Friends").click();
      await sam.page.getByLabel("Their friend code").fill(code.toLowerCase());
      await sam.page.getByRole("button", { name: "Send request" }).click();
      await sam.page.getByText("Request sent to alex.").waitFor();
      // Alex is on the friends page: the request shows up without a reload.
      await alex.page.getByText("wants to be friends").waitFor();
      await alex.page.getByRole("button", { name: "Accept" }).click();
      await alex.page
        .getByRole("list")
        .filter({ has: alex.page.getByText("online now") })
        .getByText("sam", { exact: true })
        .waitFor();
      await sam.page.getByText("online now").waitFor();
    });

    await step("alex creates a group with sam; sam sees it arrive and opens it", async () => {
      await nav(alex, "Around").click();
      await alex.page.getByLabel("Name").fill("Couch");
      await alex.page.getByRole("checkbox", { name: "sam" }).check();
      await alex.page.getByRole("button", { name: "Create group" }).click();
      await alex.page.getByRole("heading", { name: "Couch" }).waitFor();
      await nav(sam, "Around").click();
      await sam.page.getByRole("link", { name: /Couch/ }).click();
      await sam.page.getByRole("heading", { name: "Couch" }).waitFor();
    });

    await step("each sees the other present in the room", async () => {
      await chip(alex, "sam").waitFor();
      await chip(sam, "alex").waitFor();
      await alex.page.getByText("sam joined").waitFor();
    });

    await step("typing shows for the other person", async () => {
      await composer(sam).pressSequentially("hello al", { delay: 20 });
      await alex.page.getByText("sam is typing…").waitFor();
    });

    await step("a message from sam reaches alex within a second", async () => {
      await composer(sam).fill("hello alex");
      const sentAt = Date.now();
      await composer(sam).press("Enter");
      await alex.page.getByText("hello alex").waitFor({ timeout: 1_000 });
      assert.ok(Date.now() - sentAt < 1_000);
      // Sending ends typing, and sam's own copy is confirmed, not left pending.
      await alex.page.getByText("sam is typing…").waitFor({ state: "hidden" });
      await sam.page.getByText("hello alex").waitFor();
      await sam.page.getByText("sending…").waitFor({ state: "hidden" });
      assert.equal(await composer(sam).inputValue(), "");
      await alex.page.getByText(/goes in 24 h \(24 h limit\)/).waitFor();
    });

    await step("alex answers with Shift+Enter for a second line", async () => {
      await composer(alex).fill("hey sam");
      await composer(alex).press("Shift+Enter");
      await composer(alex).pressSequentially("two lines");
      await composer(alex).press("Enter");
      await sam.page.getByText(/hey sam\s+two lines/).waitFor({ timeout: 1_000 });
    });

    await step("the keyboard alone reaches the composer, with a visible focus ring", async () => {
      const { page } = alex;
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      let presses = 0;
      while (!(await composer(alex).evaluate((el) => el === document.activeElement))) {
        assert.ok(++presses <= 40, "Tab reaches the composer within 40 presses");
        await page.keyboard.press("Tab");
      }
      const ring = await composer(alex).evaluate((el) => getComputedStyle(el).outlineStyle);
      assert.notEqual(ring, "none", "keyboard focus is visible");
      await page.keyboard.type("by keys alone");
      await page.keyboard.press("Enter");
      await sam.page.getByText("by keys alone").waitFor({ timeout: 1_000 });
    });

    await step("sam shows as idle once idle for the configured time", async () => {
      // Nobody touches sam's page now; the gateway marks sam idle after IDLE_AFTER_MS.
      await chip(alex, "sam")
        .filter({ hasText: "idle" })
        .waitFor({ timeout: IDLE_AFTER_MS + 5_000 });
      // Typing again makes sam active at once.
      await composer(sam).pressSequentially("back", { delay: 20 });
      await chip(alex, "sam").filter({ hasText: "active" }).waitFor();
      await composer(sam).fill("");
    });

    await step("screenshots of home, group view and friends", async () => {
      await screenshots(alex, "group");
      await nav(sam, "Around").click();
      await sam.page.getByRole("link", { name: /Couch/ }).waitFor();
      await screenshots(sam, "home");
      await nav(sam, "Friends").click();
      await sam.page.getByText("Your friend code").waitFor();
      await screenshots(sam, "friends");
      await nav(sam, "Around").click();
      await sam.page.getByRole("link", { name: /Couch/ }).click();
      await chip(sam, "alex").waitFor();
    });

    await step("after the gateway restarts, both reconnect and the room resumes", async () => {
      // Clean up to here; from now on refused connections are expected.
      alex.expectNoProblems();
      sam.expectNoProblems();
      const sawReconnecting = alex.page.getByText("reconnecting…").waitFor({ timeout: 60_000 });
      await web.restartGateway();
      await sawReconnecting;
      // The old room is gone with the process: a new epoch, and the page says so.
      await alex.page.getByText("The room started anew").waitFor({ timeout: 60_000 });
      await sam.page.getByText("The room started anew").waitFor({ timeout: 60_000 });
      await chip(alex, "sam").waitFor();
      await chip(sam, "alex").waitFor();
      await alex.page.getByText("reconnecting…").waitFor({ state: "hidden" });
      await composer(alex).fill("still here?");
      await composer(alex).press("Enter");
      await sam.page.getByText("still here?").waitFor({ timeout: 2_000 });
    });

    await step("alex removes sam, who is taken out of the room live", async () => {
      await alex.page.getByRole("link", { name: "Settings" }).click();
      await alex.page.getByRole("button", { name: "Remove sam" }).click();
      await sam.page.getByText("You were removed from Couch.").waitFor();
      await sam.page.getByRole("heading", { name: "Your groups" }).waitFor();
      assert.equal(new URL(sam.page.url()).pathname, "/");
      await sam.page.getByRole("link", { name: /Couch/ }).waitFor({ state: "detached" });
      await alex.page.getByRole("heading", { name: "Members (1)" }).waitFor();
      await alex.page.getByRole("link", { name: "← Back to Couch" }).click();
      await alex.page.getByText("sam was removed").waitFor();
      await chip(alex, "sam").waitFor({ state: "detached" });
    });

    await step("no console errors and no CSP violations on either page", async () => {
      alex.expectNoProblems({ ignore: DOWNTIME });
      sam.expectNoProblems({ ignore: DOWNTIME });
    });
  });

  test("invite links, muting, the add-friend link, profile and signing out", async () => {
    const kim = await web.openUser("kim");
    const lou = await web.openUser("lou");
    await signIn(web, kim);
    const lousLink = await signIn(web, lou);

    // A group of one, then an invite link for it.
    await kim.page.getByLabel("Name").fill("Porch");
    await kim.page.getByRole("button", { name: "Create group" }).click();
    await kim.page.getByRole("heading", { name: "Porch" }).waitFor();
    await kim.page.getByRole("link", { name: "Settings" }).click();
    await kim.page.getByRole("button", { name: "Create link" }).click();
    const linkField = kim.page.getByRole("textbox", { name: "Invite link" });
    await linkField.waitFor();
    await kim.page.getByText("0/1 used").waitFor();
    const invite = await linkField.inputValue();
    assert.match(invite, /\/join\/[0-9A-Z]{12}$/);

    // Lou sees what the link leads to before joining.
    await lou.page.goto(invite);
    await lou.page.getByText("kim invited you to Porch (1 member).").waitFor();
    await lou.page.getByRole("button", { name: "Join Porch" }).click();
    await lou.page.getByRole("heading", { name: "Porch" }).waitFor();
    const composer = lou.page.getByRole("textbox", { name: "Message", exact: true });
    await composer.waitFor();
    assert.equal(await composer.isEnabled(), true);

    // Muted, lou can read but not write, at once.
    await kim.page.reload();
    await kim.page.getByRole("button", { name: "Mute lou" }).click();
    await kim.page.getByRole("button", { name: "Unmute lou" }).waitFor();
    await lou.page.getByText("You are muted here").waitFor();
    assert.equal(await composer.isDisabled(), true);

    // The add-friend link fills in the code.
    await nav(kim, "Friends").click();
    const friendLink = await kim.page
      .getByRole("textbox", { name: "Your add-friend link" })
      .inputValue();
    await lou.page.goto(friendLink);
    await lou.page.getByRole("button", { name: "Send request" }).click();
    await lou.page.getByText("Request sent to kim.").waitFor();
    await kim.page.getByText("wants to be friends").waitFor();

    // Profile: a new name, then signing out ends the session.
    await nav(lou, "Profile").click();
    await lou.page.getByLabel("Display name").fill("Lou B");
    await lou.page.getByRole("button", { name: "Save" }).click();
    await lou.page.getByText("Saved.").waitFor();
    await lou.page.getByRole("button", { name: "Sign out" }).click();
    await lou.page.getByRole("heading", { name: "Sign in" }).waitFor();
    await lou.page.goto(web.url("/friends"));
    await lou.page.getByRole("heading", { name: "Sign in" }).waitFor();
    // A sign-in link works once.
    await lou.page.goto(lousLink);
    await lou.page.getByText("This sign-in link has expired or was already used.").waitFor();

    kim.expectNoProblems();
    // Lou's only errors are the refusals that come with a signed-out session and a used link.
    lou.expectNoProblems({ ignore: [/status of 401/, /status of 410/] });
  });
});
