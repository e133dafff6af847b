// Message actions in Chromium: Sam edits and unsends, and Alex sees it live; a reaction toggled by
// both; a reply whose quote scrolls to its original, and one whose original was unsent; an http
// URL as a link and a javascript: URL left as text. Screenshots of the group view in docs/, with
// a reaction, an edited message and both kinds of reply in view.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  type BrowserHarness,
  browserSkipReason,
  settled,
  useBrowserHarness,
} from "./browser-harness.ts";
import { couch, docsShots } from "./couch.ts";

/** Alex and Sam, friends, in a group "Couch" Alex made, both in its room. */
async function inCouch(web: BrowserHarness) {
  const { alex, sam, group } = await couch(web, "ac");
  for (const user of [alex, sam]) {
    await user.page.goto(web.url(`/g/${group}`));
    await user.page.getByRole("heading", { name: "Couch" }).waitFor();
  }
  return { alex, sam };
}

async function say(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill(text);
  await composer.press("Enter");
  await message(page, text).waitFor();
}

/** A message the room has (not one of mine still sending, or refused). */
const message = (page: Page, text: string) =>
  page
    .locator("li.msg:not(.pending):not(.failed)")
    .filter({ has: page.locator(".text", { hasText: text }) });

async function act(page: Page, text: string, action: string): Promise<void> {
  const item = message(page, text);
  await item.hover();
  await item.getByRole("button", { name: action, exact: true }).click();
}

describe("message actions in Chromium", { skip: browserSkipReason() }, () => {
  // Sam says about twenty things within seconds, faster than a person's budget (5 a second):
  // a refused one would be a different test.
  const web = useBrowserHarness({
    env: { MESSAGE_BURST_PER_SECOND: "100", MESSAGES_PER_MINUTE: "1000" },
  });

  test("edit and unsend live, a reaction by both, replies and their quotes, links", async () => {
    const { alex, sam } = await inCouch(web);

    // Alex replies to a message Sam then unsends: the quote says it has faded.
    await say(sam.page, "oops, wrong chat");
    await message(alex.page, "oops, wrong chat").waitFor();
    await act(alex.page, "oops, wrong chat", "Reply");
    await say(alex.page, "what was that?");
    await act(sam.page, "oops, wrong chat", "Unsend");
    await message(alex.page, "oops, wrong chat").waitFor({ state: "detached" });
    await message(alex.page, "what was that?")
      .getByText("The message this replies to has faded.")
      .waitFor();

    // Links: http(s) only, opening elsewhere without the opener; javascript: stays text.
    await say(alex.page, "menu at https://example.com/menu?x=1. or javascript:alert(1)");
    const line = message(sam.page, "menu at");
    await line.waitFor();
    const link = line.getByRole("link");
    assert.equal(await link.count(), 1);
    assert.equal(await link.getAttribute("href"), "https://example.com/menu?x=1");
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.match((await line.locator(".text").textContent()) ?? "", /javascript:alert\(1\)$/);

    // Sam edits a message: Alex sees the new text, marked edited.
    await say(sam.page, "pizza at 8?");
    await message(alex.page, "pizza at 8?").waitFor();
    await act(sam.page, "pizza at 8?", "Edit");
    const composer = sam.page.getByRole("textbox", { name: "Message", exact: true });
    // The composer takes the text a frame after the click (an effect): read it, and type over it,
    // only once it has.
    await settled(
      sam.page,
      (text) => (document.getElementById("composer") as HTMLTextAreaElement | null)?.value === text,
      "pizza at 8?",
    );
    assert.equal(await composer.inputValue(), "pizza at 8?");
    await composer.fill("pizza at 9?");
    await composer.press("Enter");
    const edited = message(alex.page, "pizza at 9?");
    await edited.locator(".edited").waitFor();
    assert.equal(await message(alex.page, "pizza at 8?").count(), 0);

    // A reaction toggled by both; who reacted is in the title.
    await act(alex.page, "pizza at 9?", "React");
    await alex.page.getByRole("form", { name: "Pick a reaction" }).getByText("👍").click();
    const samReaction = message(sam.page, "pizza at 9?").locator("button.reaction");
    await samReaction.filter({ hasText: "👍 1" }).waitFor();
    await samReaction.click();
    const alexReaction = edited.locator("button.reaction");
    await alexReaction.filter({ hasText: "👍 2" }).waitFor();
    assert.equal(await alexReaction.getAttribute("title"), "You, sam");
    // Sam's own reaction back first: until then Sam still shows "👍 1" (Alex's), which the wait
    // below would take for Alex's being gone.
    await samReaction.filter({ hasText: "👍 2" }).waitFor();
    await alexReaction.click();
    await samReaction.filter({ hasText: "👍 1" }).waitFor();
    assert.equal(await samReaction.getAttribute("title"), "You");
    await alexReaction.filter({ hasText: "👍 1" }).waitFor(); // else the click takes it off again
    await alexReaction.click(); // and on again, for the pictures
    await alexReaction.filter({ hasText: "👍 2" }).waitFor();

    // Sam replies to the edited message: the quote shows it as it reads now.
    await act(sam.page, "pizza at 9?", "Reply");
    await say(sam.page, "count me in");
    const liveQuote = message(alex.page, "count me in").getByRole("button", { name: /Go to/ });
    await liveQuote.waitFor();
    assert.match((await liveQuote.textContent()) ?? "", /sam pizza at 9\?/);

    // The pictures: a reply whose original has faded and a link (out of view on a phone), then an
    // edited message with a reaction and a reply quoting it.
    // No action bar in the pictures: none hovered, and none shown for the focus Alex's last click
    // left on the reaction.
    await alex.page.mouse.move(0, 0);
    await alex.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await docsShots(alex, "actions-group", ["light", "dark"]);

    // Another reply to the edited message, after enough talk to scroll it away: its quote goes
    // back to it.
    for (let i = 1; i <= 16; i++) await say(sam.page, `line ${i}`);
    await act(sam.page, "pizza at 9?", "Reply");
    await say(sam.page, "so, 9 it is");
    const quote = message(alex.page, "so, 9 it is").getByRole("button", { name: /Go to/ });
    await quote.waitFor();
    assert.match((await quote.textContent()) ?? "", /sam pizza at 9\?/);
    assert.equal(await isInView(edited), false, "the original is scrolled away");
    await quote.click();
    await alex.page.waitForFunction(
      () => {
        const el = document.querySelector("li.msg.highlight");
        const box = el?.getBoundingClientRect();
        return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
      },
      undefined,
      { timeout: 5_000 },
    );
    assert.equal(await isInView(edited), true);

    alex.expectNoProblems();
    sam.expectNoProblems();
  });
});

async function isInView(locator: ReturnType<typeof message>): Promise<boolean> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const list = el.closest("ol")?.getBoundingClientRect();
    return list !== undefined && box.top >= list.top && box.bottom <= list.bottom;
  });
}
