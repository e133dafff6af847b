// Awareness in Chromium: a member who has not opened a group sees its unread count and preview
// rise live and after a reload; a mention shows the @ marker and notifies a hidden tab, unless
// its person is busy; opening the group shows the divider and clears the count; the sender sees
// "Seen by"; the title follows.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BrowserUser,
  browserSkipReason,
  settled,
  useBrowserHarness,
} from "./browser-harness.ts";
import { couch, docsShots } from "./couch.ts";

/** Records every desktop notification the page raises (the real API, with permission granted). */
async function recordNotifications(user: BrowserUser): Promise<void> {
  // A string: functions passed from here carry the transpiler's helpers, unknown in the page.
  await user.context.addInitScript(`{
    const Real = window.Notification;
    const seen = [];
    window.__notifications = seen;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        seen.push({ title, body: (options && options.body) || "" });
      }
    };
  }`);
}

/** What a tab in the background looks like to the page. */
async function hide(user: BrowserUser): Promise<void> {
  await user.page.evaluate(`{
    Object.defineProperty(document, "visibilityState", { configurable: true, get() { return "hidden"; } });
    Object.defineProperty(document, "hidden", { configurable: true, get() { return true; } });
    document.dispatchEvent(new Event("visibilitychange"));
  }`);
}

describe("awareness in Chromium", { skip: browserSkipReason() }, () => {
  const web = useBrowserHarness();

  test("unread, preview, mention, notification (none while busy), divider, Seen by, the title", async () => {
    const { alex, sam, group } = await couch(web, "aw");
    await recordNotifications(alex);
    await alex.context.grantPermissions(["notifications"], { origin: web.origin });
    const row = alex.page.getByRole("link", { name: /Couch/ });

    // Alex turns notifications on with a click on the setting, then waits at home.
    await alex.page.goto(web.url("/profile"));
    await alex.page.getByRole("button", { name: "Turn on desktop notifications" }).click();
    await alex.page.getByRole("button", { name: "Turn off desktop notifications" }).waitFor();
    await alex.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Around" })
      .click();
    await row.waitFor();

    const composer = sam.page.getByRole("textbox", { name: "Message", exact: true });
    await sam.page.goto(web.url(`/g/${group}`));
    await sam.page.getByRole("heading", { name: "Couch" }).waitFor();
    await composer.fill("anyone up?");
    await composer.press("Enter");

    // Live: the count and the preview, and the title.
    await row.locator(".unread-count").filter({ hasText: "1" }).waitFor();
    await row.getByText("anyone up?").waitFor();
    // The title follows a frame after the count (an effect): wait for it, then check it.
    await settled(alex.page, (prefix) => document.title.startsWith(prefix), "(1) ");
    assert.match(await alex.page.title(), /^\(1\) /);

    // After a reload: the same, from hello.
    await alex.page.reload();
    await row.locator(".unread-count").filter({ hasText: "1" }).waitFor();
    await row.getByText("sam: anyone up?").waitFor();

    // A mention, picked from the autocomplete, while Alex's tab is in the background.
    await hide(alex);
    await composer.pressSequentially("look @al");
    await sam.page
      .getByRole("group", { name: /Mention someone/ })
      .getByRole("button", { name: /alex/ })
      .waitFor();
    await composer.press("Tab");
    assert.equal(await composer.inputValue(), "look @alex ");
    await composer.press("Enter");
    await row.locator(".mention-mark").waitFor();
    await row.locator(".unread-count").filter({ hasText: "2" }).waitFor();
    await settled(alex.page, (prefix) => document.title.startsWith(prefix), "(2) ");
    assert.match(await alex.page.title(), /^\(2\) /);
    const notifications = () =>
      alex.page.evaluate(
        () =>
          (window as unknown as { __notifications: { title: string; body: string }[] })
            .__notifications,
      );
    assert.deepEqual(await notifications(), [
      { title: "Couch: you were mentioned", body: "sam: look @alex" },
    ]);
    await sam.page.locator("mark.mention").filter({ hasText: "@alex" }).waitFor();
    await docsShots(alex, "awareness-home");

    // Alex opens the group: the divider before the first unread, the count gone.
    await alex.page.reload();
    await row.click();
    await alex.page.getByRole("log", { name: "Conversation" }).waitFor();
    const divider = alex.page.locator(".new-divider");
    await divider.waitFor();
    assert.equal(
      await alex.page.locator(".new-divider + li").getByText("anyone up?").count(),
      1,
      "the divider is right before the first message Alex had not seen",
    );
    await alex.page.locator("mark.mention-me").filter({ hasText: "@alex" }).waitFor();
    await alex.page.waitForFunction(() => !document.title.startsWith("("));
    await docsShots(alex, "awareness-divider");

    // Sam sees that Alex has looked.
    await sam.page.getByText("Seen by everyone").waitFor(); // Alex is everyone else here
    assert.equal(await sam.page.locator(".new-divider").count(), 0, "nothing new for the sender");
    await docsShots(sam, "awareness-group");
    const back = alex.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Around" });
    await back.click();
    await row.waitFor(); // the row itself first, so that no count means none is shown
    assert.equal(await row.locator(".unread-count").count(), 0);

    // Busy silences notifications: with the tab in the background again, a mention raises none
    // while Alex is busy, and the same mention raises one once Alex is back to Around. Each switch
    // is saved before Sam speaks; a count shown means its frame has been through the notifier.
    // (The reload emptied the record.)
    await hide(alex);
    const switchTo = async (mode: string) => {
      const saved = alex.page.waitForResponse(
        (response) =>
          response.request().method() === "PATCH" && new URL(response.url()).pathname === "/api/me",
      );
      await alex.page.locator("#mode-quick").selectOption(mode);
      assert.equal((await saved).status(), 200);
    };
    await switchTo("busy");
    await composer.fill("still up, @alex?");
    await composer.press("Enter");
    await row.locator(".unread-count").filter({ hasText: "1" }).waitFor();
    assert.deepEqual(await notifications(), [], "no notification while busy");
    await switchTo("auto");
    await composer.fill("still up, @alex?");
    await composer.press("Enter");
    await row.locator(".unread-count").filter({ hasText: "2" }).waitFor();
    await settled(
      alex.page,
      (count) =>
        (window as unknown as { __notifications: unknown[] }).__notifications.length ===
        Number(count),
      "1",
    );
    assert.deepEqual(await notifications(), [
      { title: "Couch: you were mentioned", body: "sam: still up, @alex?" },
    ]);

    // A friend around now: one click opens our direct chat.
    await alex.page.getByRole("button", { name: "Chat with sam" }).click();
    await alex.page.getByRole("heading", { name: "sam" }).waitFor();
    assert.match(new URL(alex.page.url()).pathname, /^\/g\/[0-9a-f-]{36}$/);
    alex.expectNoProblems();
    sam.expectNoProblems();
  });
});
