// Signing in and out, and the one socket of this tab.
import { api } from "./api.ts";
import { SocketClient } from "./net/socket-client.ts";
import { navigate } from "./router.ts";
import { INITIAL_STATE } from "./state/app-state.ts";
import { app } from "./state/store.ts";

const NEXT_KEY = "clofri.next";
/**
 * Set once this browser has signed in (the session cookie itself is HttpOnly, so the page cannot
 * see it). Without it, a visit goes straight to sign-in instead of trying a socket that would be
 * refused with a 401 — which browsers print as a console error on every first visit.
 */
const HINT_KEY = "clofri.signedIn";

export function mightBeSignedIn(): boolean {
  return localStorage.getItem(HINT_KEY) !== null;
}

/** Before leaving for an OAuth provider, whose callback lands on `/` with a session. */
export function expectSignIn(): void {
  localStorage.setItem(HINT_KEY, "1");
}

export const client = new SocketClient({
  onSignedOut: () => goToSignIn(),
  onHello: expectSignIn,
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

/** Remember where the person was going, then show sign-in. */
export function goToSignIn(): void {
  const { pathname, search } = window.location;
  if (!pathname.startsWith("/sign-in")) sessionStorage.setItem(NEXT_KEY, pathname + search);
  localStorage.removeItem(HINT_KEY);
  client.stop("signed_out");
  app.value = INITIAL_STATE;
  navigate("/sign-in", { replace: true });
}

/** After a successful sign-in: connect and continue where the person was going. */
export function signedIn(): void {
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  expectSignIn();
  client.start();
  navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
}

export async function signOut(): Promise<void> {
  // Signed out before the request goes, so nothing reconnects while it is on its way.
  localStorage.removeItem(HINT_KEY);
  client.stop("signed_out");
  try {
    await api("POST", "/auth/logout");
  } finally {
    sessionStorage.removeItem(NEXT_KEY);
    app.value = INITIAL_STATE;
    navigate("/sign-in", { replace: true });
  }
}
