import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { expectSignIn } from "../session.ts";
import { ErrorNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface Providers {
  providers: string[];
  magicLink: boolean;
  magicLinkDelivery: "smtp" | "log";
}

const PROVIDER_NAMES: Record<string, string> = {
  google: "Google",
  github: "GitHub",
  discord: "Discord",
};

const OAUTH_ERRORS: Record<string, string> = {
  access_denied: "Sign-in was cancelled.",
  email_unverified: "That account's email address is not verified, so we can't use it.",
  invalid_state: "That sign-in took too long or was opened in another browser. Try again.",
  exchange_failed: "The provider did not answer properly. Try again.",
  provider_error: "The provider reported a problem. Try again.",
};

export function SignIn() {
  const providers = useLoad("providers", () => api<Providers>("GET", "/auth/providers"));
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oauthError = new URLSearchParams(window.location.search).get("error");

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/auth/magic-link", { email: email.trim() });
      setSentTo(email.trim());
    } catch (failure) {
      setError(problem(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth">
      <h1 class="brand-big">clofri</h1>
      <p class="lede">See who's around. Talk while you're both here.</p>
      <section class="card" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        <ErrorNote>
          {oauthError ? (OAUTH_ERRORS[oauthError] ?? "Sign-in failed. Try again.") : null}
        </ErrorNote>
        {sentTo ? (
          <div role="status">
            <p>
              We sent a sign-in link to <strong>{sentTo}</strong>. It works once, for 15 minutes.
            </p>
            {providers.data?.magicLinkDelivery === "log" && (
              <p class="hint">
                Development mode: no email is sent — the link is in the server log.
              </p>
            )}
            <button type="button" class="link" onClick={() => setSentTo(null)}>
              Use another address
            </button>
          </div>
        ) : (
          <form onSubmit={submit}>
            <label for="email">Email address</label>
            <input
              id="email"
              type="email"
              autocomplete="email"
              required
              maxLength={254}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
            <button type="submit" disabled={busy}>
              {busy ? "Sending…" : "Email me a sign-in link"}
            </button>
            {providers.data?.magicLinkDelivery === "log" && (
              <p class="hint">Development mode: the link will be in the server log.</p>
            )}
            <ErrorNote>{error}</ErrorNote>
          </form>
        )}
        {(providers.data?.providers.length ?? 0) > 0 && (
          <div class="providers">
            <p class="or">or</p>
            {providers.data?.providers.map((provider) => (
              <a
                key={provider}
                class="button secondary"
                href={`/auth/${provider}`}
                onClick={expectSignIn}
              >
                Continue with {PROVIDER_NAMES[provider] ?? provider}
              </a>
            ))}
          </div>
        )}
      </section>
    </main>
  );
}
