import { useEffect, useState } from "preact/hooks";
import { ApiError, api, problem } from "../api.ts";
import { appPagePath } from "../routes.ts";
import { signedIn } from "../session.ts";

/** The emailed link lands here with `#token=…`; posting it (not loading it) signs in. */
export function Verify() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get("token");
    const next = appPagePath(fragment.get("next"));
    // Drop the token from the address bar and history: it is a credential.
    history.replaceState(null, "", "/sign-in/verify");
    if (!token) {
      setError(
        "This sign-in link is incomplete. Copy the whole link from the email, or ask for a new one.",
      );
      return;
    }
    api("POST", "/auth/magic-link/verify", { token }).then(
      () => signedIn(next),
      (failure: unknown) => {
        setError(
          failure instanceof ApiError && failure.status === 410
            ? "This sign-in link has expired or was already used. Ask for a new one."
            : problem(failure),
        );
      },
    );
  }, []);
  return (
    <main id="main" class="auth">
      <h1 class="brand-big">clofri</h1>
      <section class="card">
        {error ? (
          <>
            <h2>Can't sign you in</h2>
            <p class="note note-error" role="alert">
              {error}
            </p>
            <a class="button" href="/sign-in">
              Get a new link
            </a>
          </>
        ) : (
          <p role="status">Signing you in…</p>
        )}
      </section>
    </main>
  );
}
