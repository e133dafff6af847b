import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";
import { app, now } from "../state/store.ts";
import { timeUntil } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface Member {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  role: "creator" | "member";
  muted: boolean;
}
interface Group {
  id: string;
  name: string;
  kind: "group" | "direct";
  role: "creator" | "member";
  members: Member[];
}
interface Invite {
  code: string;
  link: string;
  expiresAt: number;
  maxUses: number;
  uses: number;
}

const EXPIRY_CHOICES = [
  { ms: 3_600_000, label: "1 hour" },
  { ms: 86_400_000, label: "1 day" },
  { ms: 604_800_000, label: "7 days" },
];

export function GroupSettings({ id }: { id: string }) {
  const live = app.value.groups.find((g) => g.id === id);
  // Reload when the group changes live under us: renamed, handed over, I am muted or removed.
  const group = useLoad(
    `group-${id}-${live?.name}-${live?.role}-${live?.muted}-${live === undefined}`,
    () => api<{ group: Group }>("GET", `/api/groups/${id}`).then((answer) => answer.group),
  );
  const [error, setError] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      group.reload();
    } catch (failure) {
      setError(problem(failure));
    }
  };

  if (!group.data) {
    return (
      <div class="page">
        <p role="status">{group.error ?? "Loading…"}</p>
        <a href="/">Back to who's around</a>
      </div>
    );
  }
  const g = group.data;
  const isCreator = g.role === "creator" && g.kind === "group";
  const me = app.value.me?.id;
  return (
    <div class="page settings">
      <p>
        <a href={`/g/${id}`}>← Back to {g.name}</a>
      </p>
      <h1>{g.name}: settings</h1>
      <ErrorNote>{error}</ErrorNote>
      {isCreator && <Rename group={g} act={act} />}
      {isCreator && <InviteFriends group={g} act={act} />}
      {isCreator && <Invites id={id} />}
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Members ({g.members.length})</h2>
        <ul class="people">
          {g.members.map((m) => (
            <li key={m.id} class="person">
              <Avatar name={m.displayName} url={m.avatarUrl} />
              <span class="name">{m.id === me ? "You" : m.displayName}</span>
              <span class="status-word">
                {m.role === "creator" ? "creator" : m.muted ? "muted" : "member"}
              </span>
              {isCreator && m.id !== me && (
                <span class="actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act(() =>
                        api("PATCH", `/api/groups/${id}/members/${m.id}`, { muted: !m.muted }),
                      )
                    }
                  >
                    {m.muted ? `Unmute ${m.displayName}` : `Mute ${m.displayName}`}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => act(() => api("DELETE", `/api/groups/${id}/members/${m.id}`))}
                  >
                    Remove {m.displayName}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      {g.kind === "group" && <LeaveOrDelete group={g} isCreator={isCreator} onError={setError} />}
    </div>
  );
}

type Act = (work: () => Promise<unknown>) => Promise<void>;

function Rename({ group, act }: { group: Group; act: Act }) {
  const [name, setName] = useState(group.name);
  return (
    <section class="card" aria-labelledby="rename-title">
      <h2 id="rename-title">Name</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => api("PATCH", `/api/groups/${group.id}`, { name: name.trim() }));
        }}
      >
        <label for="rename" class="visually-hidden">
          Group name
        </label>
        <input
          id="rename"
          class="grow"
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Rename</button>
      </form>
    </section>
  );
}

function InviteFriends({ group, act }: { group: Group; act: Act }) {
  const candidates = app.value.friends.filter((f) => !group.members.some((m) => m.id === f.id));
  const [chosen, setChosen] = useState<string[]>([]);
  if (candidates.length === 0) return null;
  return (
    <section class="card" aria-labelledby="add-members-title">
      <h2 id="add-members-title">Add friends</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await api("POST", `/api/groups/${group.id}/members`, { userIds: chosen });
            setChosen([]);
          });
        }}
      >
        <fieldset>
          <legend class="visually-hidden">Friends not in the group</legend>
          {candidates.map((f) => (
            <label key={f.id} class="check">
              <input
                type="checkbox"
                checked={chosen.includes(f.id)}
                onChange={(e) =>
                  setChosen((ids) =>
                    e.currentTarget.checked ? [...ids, f.id] : ids.filter((x) => x !== f.id),
                  )
                }
              />
              {f.displayName}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={chosen.length === 0}>
          Add to group
        </button>
      </form>
    </section>
  );
}

function Invites({ id }: { id: string }) {
  const invites = useLoad(`invites-${id}`, () =>
    api<{ invites: Invite[] }>("GET", `/api/groups/${id}/invites`).then((a) => a.invites),
  );
  const [expiresInMs, setExpiresInMs] = useState(86_400_000);
  const [maxUses, setMaxUses] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      invites.reload();
    } catch (failure) {
      setError(problem(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Invite links</h2>
      <form
        class="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api("POST", `/api/groups/${id}/invites`, { expiresInMs, maxUses }));
        }}
      >
        <label>
          Expires after{" "}
          <select
            value={expiresInMs}
            onChange={(e) => setExpiresInMs(Number(e.currentTarget.value))}
          >
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
            {[1, 5, 10, 50].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create link</button>
      </form>
      <ErrorNote>{error ?? invites.error}</ErrorNote>
      {(invites.data ?? []).length > 0 && (
        <ul class="invites">
          {(invites.data ?? []).map((invite) => (
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

function LeaveOrDelete({
  group,
  isCreator,
  onError,
}: {
  group: Group;
  isCreator: boolean;
  onError: (e: string | null) => void;
}) {
  const [confirm, setConfirm] = useState<"none" | "leave" | "delete">("none");
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      navigate("/", { replace: true });
    } catch (failure) {
      onError(problem(failure));
    }
  };
  return (
    <section class="card danger-zone" aria-labelledby="danger-title">
      <h2 id="danger-title">Leave or delete</h2>
      {confirm === "none" && (
        <div class="row wrap">
          <button type="button" class="secondary" onClick={() => setConfirm("leave")}>
            Leave group
          </button>
          {isCreator && (
            <button type="button" class="danger" onClick={() => setConfirm("delete")}>
              Delete group
            </button>
          )}
        </div>
      )}
      {confirm !== "none" && (
        <div role="alertdialog" aria-labelledby="confirm-text" class="confirm">
          <p id="confirm-text">
            {confirm === "delete"
              ? `Delete ${group.name} for everyone? This can't be undone.`
              : isCreator
                ? `Leave ${group.name}? The longest-standing member takes over.`
                : `Leave ${group.name}? You'll need a new invite to come back.`}
          </p>
          <div class="row">
            <button
              type="button"
              class="danger"
              onClick={() =>
                run(() =>
                  confirm === "delete"
                    ? api("DELETE", `/api/groups/${group.id}`)
                    : api("POST", `/api/groups/${group.id}/leave`),
                )
              }
            >
              {confirm === "delete" ? "Yes, delete it" : "Yes, leave"}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirm("none")}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
