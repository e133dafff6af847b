// What the awareness and message-action browser tests share: two friends in a group of their
// own, made through the API, and screenshots of a view for docs/screenshots/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type BrowserHarness, type BrowserUser, settled } from "./browser-harness.ts";

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshots");
const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** A POST as the user, through their browser context (cookie and Origin as the app sends them). */
async function post(web: BrowserHarness, user: BrowserUser, path: string, data?: object) {
  const response = await user.context.request.post(web.url(path), {
    headers: { origin: web.origin },
    ...(data && { data }),
  });
  assert.ok(response.ok(), `${path}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as Record<string, { id: string }>;
}

/** Alex and Sam (browser profiles `<prefix>-alex`, `<prefix>-sam`), friends, in "Couch" Alex made. */
export async function couch(web: BrowserHarness, prefix: string) {
  const alex = await web.openUser(`${prefix}-alex`);
  const sam = await web.openUser(`${prefix}-sam`);
  await web.signInToApp(alex, "alex@example.com");
  await web.signInToApp(sam, "sam@example.com");
  const codeAnswer = await alex.context.request.get(web.url("/api/friends/code"));
  const { code } = (await codeAnswer.json()) as { code: string };
  const { request } = await post(web, sam, "/api/friends/requests", { code });
  await post(web, alex, `/api/friends/requests/${request?.id}/accept`);
  const samAnswer = await sam.context.request.get(web.url("/api/me"));
  const samId = ((await samAnswer.json()) as { user: { id: string } }).user.id;
  const { group } = await post(web, alex, "/api/groups", { name: "Couch", memberIds: [samId] });
  return { alex, sam, group: group?.id ?? "" };
}

/**
 * In a group view, the composer is wholly on screen and the conversation shows its newest line,
 * whatever the header's height. Both follow a resize a frame later: waited for, then checked.
 */
async function composerInView(page: Page, size: string): Promise<void> {
  if ((await page.locator("form.composer").count()) === 0) return;
  await settled(
    page,
    () => {
      const form = document.querySelector("form.composer")?.getBoundingClientRect();
      const list = document.querySelector("ol.messages");
      const atBottom = !list || list.scrollHeight - list.scrollTop - list.clientHeight < 2;
      return form !== undefined && form.bottom <= window.innerHeight && atBottom;
    },
    "",
  );
  const found = await page.evaluate(() => {
    const form = document.querySelector("form.composer")?.getBoundingClientRect();
    const list = document.querySelector("ol.messages");
    return {
      composerBottom: form ? Math.round(form.bottom) : Number.NaN,
      viewportHeight: window.innerHeight,
      belowNewest: list ? Math.round(list.scrollHeight - list.scrollTop - list.clientHeight) : 0,
    };
  });
  assert.ok(
    found.composerBottom <= found.viewportHeight && found.belowNewest < 2,
    `${size}: the composer and the newest line are in view (${JSON.stringify(found)})`,
  );
}

/**
 * The page at both sizes into docs/screenshots/<name>-<width>x<height>[-<scheme>].png: in the
 * page's own scheme, or once per scheme given. A group view is checked first (composerInView).
 */
export async function docsShots(
  user: BrowserUser,
  name: string,
  schemes: ReadonlyArray<"light" | "dark"> = [],
): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const size of SIZES) {
    await user.page.setViewportSize(size);
    const base = `${name}-${size.width}x${size.height}`;
    await composerInView(user.page, base);
    if (schemes.length === 0) await user.page.screenshot({ path: join(SHOTS, `${base}.png`) });
    for (const scheme of schemes) {
      await user.page.emulateMedia({ colorScheme: scheme });
      await user.page.screenshot({ path: join(SHOTS, `${base}-${scheme}.png`) });
    }
  }
  if (schemes.length > 0) await user.page.emulateMedia({ colorScheme: "light" });
  await user.page.setViewportSize(SIZES[0]);
}
