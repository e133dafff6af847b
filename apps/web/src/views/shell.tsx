import type { ComponentChildren } from "preact";
import { connection } from "../net/connection-signal.ts";
import { connectionLabel } from "../net/reconnect.ts";
import { location } from "../router.ts";
import { setFlash } from "../state/sends.ts";
import { app, update } from "../state/store.ts";
import { PresenceSwitch } from "../ui/presence-switch.tsx";
import { Sentence } from "../ui/sentence.tsx";

const NAV = [
  { href: "/", label: "Around" },
  { href: "/friends", label: "Friends" },
  { href: "/profile", label: "Profile" },
];

export function Shell({ children }: { children: ComponentChildren }) {
  const label = connectionLabel(connection.value);
  const path = location.value.pathname;
  const flash = app.value.flash;
  const requests = app.value.incomingRequests.length;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a href="/" class="brand">
          clofri
        </a>
        <nav aria-label="Main">
          {NAV.map((item) => {
            const current = item.href === "/" ? path === "/" : path.startsWith(item.href);
            return (
              <a
                key={item.href}
                href={item.href}
                class="navlink"
                aria-current={current ? "page" : undefined}
              >
                {item.label}
                {item.href === "/friends" && requests > 0 && (
                  <span class="badge">
                    {requests}
                    <span class="visually-hidden">
                      {requests === 1 ? " new request" : " new requests"}
                    </span>
                  </span>
                )}
              </a>
            );
          })}
        </nav>
        {app.value.me && <PresenceSwitch id="mode-quick" compact />}
        <span class={`conn ${label ? "conn-down" : ""}`} role="status" aria-live="polite">
          {label}
        </span>
      </header>
      {flash && (
        <div class="flash" role="alert">
          <span>
            <Sentence phrase={flash} />
          </span>
          <button type="button" class="link" onClick={() => update((s) => setFlash(s, null))}>
            Dismiss
          </button>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
