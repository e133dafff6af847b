// Where to continue once signed in: the invite or add-friend page that sent the person to sign
// in. Kept in localStorage, not sessionStorage, so the magic link may be opened in another tab;
// and only for a while, as a sign-in link lives 15 minutes.
import { appPagePath } from "./routes.ts";

const KEY = "clofri.next";
const KEEP_MS = 30 * 60_000;

interface Kept {
  path: string;
  untilMs: number;
}

export function rememberDestination(path: string, nowMs: number = Date.now()): void {
  const page = appPagePath(path);
  if (page === undefined || page === "/") return;
  const kept: Kept = { path: page, untilMs: nowMs + KEEP_MS };
  localStorage.setItem(KEY, JSON.stringify(kept));
}

/** The page remembered in this browser, unless it is stale. */
export function keptDestination(nowMs: number = Date.now()): string | undefined {
  return readKept(localStorage.getItem(KEY), nowMs);
}

export function forgetDestination(): void {
  localStorage.removeItem(KEY);
}

/** Parses what `rememberDestination` stored; anything else (or anything stale) is nothing. */
export function readKept(raw: string | null, nowMs: number): string | undefined {
  if (raw === null) return undefined;
  let kept: unknown;
  try {
    kept = JSON.parse(raw);
  } catch {
    return undefined; // not ours (or from an older client): nothing to continue to
  }
  if (typeof kept !== "object" || kept === null) return undefined;
  const { path, untilMs } = kept as Partial<Kept>;
  if (typeof untilMs !== "number" || untilMs <= nowMs || typeof path !== "string") return undefined;
  return appPagePath(path);
}
