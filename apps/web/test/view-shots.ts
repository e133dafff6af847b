// Screenshots of a view as people see it, checked while they are taken.
import assert from "node:assert/strict";
import type { BrowserUser } from "./browser-harness.ts";

const SIZES = [
  { name: "1280x800", width: 1280, height: 800 },
  { name: "390x844", width: 390, height: 844 },
] as const;
/** The narrowest phone the layout promises to fit. */
const NARROWEST = { width: 360, height: 740 };

/**
 * One view at both sizes, light and dark: test-artifacts/screenshots/<view>-<size>-<scheme>.png.
 * Each fits without sideways scrolling, and shows the scheme its name says.
 */
export async function screenshots(user: BrowserUser, view: string): Promise<void> {
  const { page } = user;
  const original = page.viewportSize();
  await page.setViewportSize(NARROWEST);
  assert.equal(await overflowsSideways(user), false, `${view} fits ${NARROWEST.width} px`);
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    assert.equal(await overflowsSideways(user), false, `${view} fits ${size.name}`);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const lightness = await backgroundLightness(user);
      const isDark = lightness < 0.5;
      assert.equal(
        isDark,
        scheme === "dark",
        `${view} ${scheme}: background lightness ${lightness}`,
      );
      await user.screenshot(`${view}-${size.name}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (original) await page.setViewportSize(original);
}

const overflowsSideways = (user: BrowserUser) =>
  user.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

/** The page background's lightness, 0 (black) to 1 (white). */
const backgroundLightness = (user: BrowserUser) =>
  user.page.evaluate(() => {
    const channels = getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? [];
    const [red = 0, green = 0, blue = 0] = channels.map(Number);
    return (Math.max(red, green, blue) + Math.min(red, green, blue)) / 2 / 255;
  });
