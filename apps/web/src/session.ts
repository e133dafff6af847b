// Signing in and out, and the one socket of this tab.
import { api } from "./api.ts";
import { forgetDestination, keptDestination, rememberDestination } from "./destination.ts";
import { RequestsSync } from "./net/requests-sync.ts";
import { SocketClient } from "./net/socket-client.ts";
import { navigate } from "./router.ts";
import { INITIAL_STATE } from "./state/app-state.ts";
import { app } from "./state/store.ts";

/**
 * Set once this browser has signed in (the session cookie itself is HttpOnly, so the page cannot
 * see it). Without it, a visit goes straight to sign-in instead of trying a socket that would be
 * refused with a 401 — which browsers print as a console error on every first visit.
 */
const HINT_KEY = "clofri.signedIn";

export function mightBeSignedIn(): boolean {
  return localStorage.getItem(HINT_KEY) !== null;
}

/** Before leaving for an OAuth provider, whose callback lands with a session. */
export function expectSignIn(): void {
  localStorage.setItem(HINT_KEY, "1");
}

export const client = new SocketClient({
  onSignedOut: () => goToSignIn(),
  onHello: () => {
    expectSignIn();
    // Signed in, wherever it happened (an OAuth callback lands on the page itself).
    forgetDestination();
  },
  checkSession: async () => {
    try {
      const response = await fetch("/api/me", { credentials: "same-origin" });
      if (response.status === 401) return "invalid";
      return response.ok ? "valid" : "unknown";
    } catch {
      return "unknown";
    }
  },
});

/** The pending friend requests behind the badge, home and the friends page. */
export const requestsSync = new RequestsSync();

/** Remember where the person was going, then show sign-in. */
export function goToSignIn(): void {
  rememberDestination(window.location.pathname);
  localStorage.removeItem(HINT_KEY);
  client.stop("signed_out");
  app.value = INITIAL_STATE;
  navigate("/sign-in", { replace: true });
}

/**
 * After a successful sign-in: connect and continue where the person was going, as the magic
 * link says (`linked`, already checked) or else as this browser remembers.
 */
export function signedIn(linked: string | undefined): void {
  const next = linked ?? keptDestination() ?? "/";
  forgetDestination();
  expectSignIn();
  client.start();
  navigate(next, { replace: true });
}

export async function signOut(): Promise<void> {
  // Signed out before the request goes, so nothing reconnects while it is on its way.
  localStorage.removeItem(HINT_KEY);
  client.stop("signed_out");
  try {
    await api("POST", "/auth/logout");
  } finally {
    forgetDestination();
    app.value = INITIAL_STATE;
    navigate("/sign-in", { replace: true });
  }
}
