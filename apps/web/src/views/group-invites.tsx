import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { app, now } from "../state/store.ts";
import { timeUntil } from "../state/wording.ts";
import { CopyButton } from "../ui/copy-button.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

interface Invite {
  code: string;
  link: string;
  expiresAt: number;
  maxUses: number;
  uses: number;
}

const HOUR_MS = 3_600_000;
const EXPIRY_CHOICES = [
  { ms: HOUR_MS, label: "1 hour" },
  { ms: 24 * HOUR_MS, label: "1 day" },
  { ms: 7 * 24 * HOUR_MS, label: "7 days" },
];
const USES_CHOICES = [1, 5, 10, 50];

/** The group's invite links: create one with an expiry and a number of uses, copy, revoke. */
export function Invites({ id }: { id: string }) {
  const invites = useLoad(`invites-${id}`, () =>
    api<{ invites: Invite[] }>("GET", `/api/groups/${id}/invites`).then((a) => a.invites),
  );
  const action = useAction();
  const run = (work: () => Promise<unknown>) =>
    action.run(async () => {
      await work();
      invites.reload();
    });
  const list = invites.data ?? [];
  return (
    <section class="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Invite links</h2>
      <NewInvite
        onCreate={(choice) => run(() => api("POST", `/api/groups/${id}/invites`, choice))}
      />
      <ErrorNote>{action.error ?? invites.error}</ErrorNote>
      {list.length > 0 && (
        <ul class="invites">
          {list.map((invite) => (
            <li key={invite.code} class="invite">
              <input class="link-field" readOnly value={invite.link} aria-label="Invite link" />
              <span class="hint">
                {invite.uses}/{invite.maxUses} used · expires{" "}
                {timeUntil(invite.expiresAt, now.value + app.value.clockOffsetMs)}
              </span>
              <span class="actions">
                <CopyButton text={invite.link} label="Copy invite link" />
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    run(() => api("DELETE", `/api/groups/${id}/invites/${invite.code}`))
                  }
                >
                  Revoke
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewInvite({
  onCreate,
}: {
  onCreate: (choice: { expiresInMs: number; maxUses: number }) => void;
}) {
  const [expiresInMs, setExpiresInMs] = useState(24 * HOUR_MS);
  const [maxUses, setMaxUses] = useState(1);
  return (
    <form
      class="row wrap"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate({ expiresInMs, maxUses });
      }}
    >
      <label>
        Expires after{" "}
        <select value={expiresInMs} onChange={(e) => setExpiresInMs(Number(e.currentTarget.value))}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.ms} value={c.ms}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Uses{" "}
        <select value={maxUses} onChange={(e) => setMaxUses(Number(e.currentTarget.value))}>
          {USES_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Create link</button>
    </form>
  );
}
