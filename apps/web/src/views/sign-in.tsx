import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { keptDestination } from "../destination.ts";
import { expectSignIn } from "../session.ts";
import { ErrorNote } from "../ui/notice.tsx";
import { useAction } from "../ui/use-action.ts";
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

/** The provider's sign-in, carrying where to land afterwards (the gateway checks it again). */
function oauthStart(provider: string): string {
  const next = keptDestination();
  return next ? `/auth/${provider}?${new URLSearchParams({ next })}` : `/auth/${provider}`;
}

export function SignIn() {
  const providers = useLoad("providers", () => api<Providers>("GET", "/auth/providers"));
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction();
  const oauthError = new URLSearchParams(window.location.search).get("error");
  const isLogDelivery = providers.data?.magicLinkDelivery === "log";

  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await api("POST", "/auth/magic-link", { email: email.trim(), next: keptDestination() });
      setSentTo(email.trim());
    });
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
          <LinkSent to={sentTo} isLogDelivery={isLogDelivery} onAgain={() => setSentTo(null)} />
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
            <button type="submit" disabled={action.isBusy}>
              {action.isBusy ? "Sending…" : "Email me a sign-in link"}
            </button>
            {isLogDelivery && (
              <p class="hint">Development mode: the link will be in the server log.</p>
            )}
            <ErrorNote>{action.error}</ErrorNote>
          </form>
        )}
        <ProviderLinks providers={providers.data?.providers ?? []} />
      </section>
    </main>
  );
}

function LinkSent(props: { to: string; isLogDelivery: boolean; onAgain: () => void }) {
  return (
    <div role="status">
      <p>
        We sent a sign-in link to{" "}
        <strong>
          <bdi>{props.to}</bdi>
        </strong>
        . It works once, for 15 minutes.
      </p>
      {props.isLogDelivery && (
        <p class="hint">Development mode: no email is sent — the link is in the server log.</p>
      )}
      <button type="button" class="link" onClick={props.onAgain}>
        Use another address
      </button>
    </div>
  );
}

function ProviderLinks({ providers }: { providers: string[] }) {
  if (providers.length === 0) return null;
  return (
    <div class="providers">
      <p class="or">or</p>
      {providers.map((provider) => (
        <a
          key={provider}
          class="button secondary"
          href={oauthStart(provider)}
          onClick={expectSignIn}
        >
          Continue with {PROVIDER_NAMES[provider] ?? provider}
        </a>
      ))}
    </div>
  );
}
