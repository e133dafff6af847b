// Client routes over the History API; the route table is routes.ts (pure, tested in Node).
import { signal } from "@preact/signals";

export { isPublic, matchRoute } from "./routes.ts";

export const location = signal({
  pathname: window.location.pathname,
  search: window.location.search,
});

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  location.value = { pathname: window.location.pathname, search: window.location.search };
  window.scrollTo(0, 0);
  // Screen readers hear nothing when a single-page app changes page: move focus to the new content.
  requestAnimationFrame(() => document.getElementById("main")?.focus({ preventScroll: true }));
}

export function listenToHistory(): void {
  window.addEventListener("popstate", () => {
    location.value = { pathname: window.location.pathname, search: window.location.search };
  });
}

/** For <a> clicks: follow in-app links without a page load, leave modified clicks alone. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = anchor.getAttribute("href");
  if (
    !href?.startsWith("/") ||
    href.startsWith("//") ||
    anchor.target ||
    anchor.hasAttribute("download")
  )
    return;
  if (href.startsWith("/auth/")) return; // OAuth redirects are real page loads
  event.preventDefault();
  navigate(href);
}
