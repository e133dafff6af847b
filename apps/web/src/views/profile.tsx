import { MAX_NAME_LENGTH } from "@clofri/protocol/text";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { signOut } from "../session.ts";
import { checkName } from "../state/names.ts";
import { app, update } from "../state/store.ts";
import { Avatar } from "../ui/avatar.tsx";
import { ErrorNote, InfoNote } from "../ui/notice.tsx";
import { PresenceSwitch } from "../ui/presence-switch.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { BlockedPeople } from "./blocked-people.tsx";
import { DeleteAccount } from "./delete-account.tsx";
import { NotificationSettings } from "./notify-settings.tsx";

interface Me {
  id: string;
  email: string;
  displayName: string;
  avatarUrl: string | null;
  friendCode: string;
}

export function Profile() {
  // Loaded again when my name or picture changes, here or in another tab (profile_updated).
  const known = app.value.me;
  const me = useLoad(`me-${known?.displayName}-${known?.avatarUrl}`, () =>
    api<{ user: Me }>("GET", "/api/me").then((a) => a.user),
  );
  return (
    <div class="page profile">
      <h1>Profile</h1>
      {me.data ? <ProfileForm me={me.data} /> : <p role="status">{me.error ?? "Loading…"}</p>}
      <NotificationSettings />
      <section class="card" aria-labelledby="mode-title">
        <h2 id="mode-title">Presence</h2>
        {known ? <PresenceSwitch id="mode-profile" /> : <p role="status">Loading…</p>}
        <p class="hint">
          Around: friends see when you're here or idle. Busy: friends see you're busy, and Clofri
          won't notify you. Appear offline: friends see you as offline, and groups don't show you
          until you open their chat.
        </p>
      </section>
      <BlockedPeople />
      <section class="card">
        <button type="button" class="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </section>
      <DeleteAccount />
    </div>
  );
}

function ProfileForm({ me }: { me: Me }) {
  const [name, setName] = useState(me.displayName);
  const [avatar, setAvatar] = useState(me.avatarUrl ?? "");
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  // Reset only when what I saved changed (here or in another tab): a reload that brings the same
  // name and picture, as each `profile_updated` and the first `hello` cause, keeps what I typed.
  useEffect(() => {
    setName(me.displayName);
    setAvatar(me.avatarUrl ?? "");
  }, [me.displayName, me.avatarUrl]);

  const save = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const checked = checkName(name, "Display name");
    if (!checked.ok) return action.setError(checked.problem);
    void action.run(async () => {
      const { user } = await api<{ user: Me }>("PATCH", "/api/me", {
        displayName: checked.name,
        avatarUrl: avatar.trim() === "" ? null : avatar.trim(),
      });
      const { displayName, avatarUrl } = user;
      update((s) => (s.me ? { ...s, me: { ...s.me, displayName, avatarUrl } } : s));
      setName(user.displayName);
      setSaved("Saved.");
    });
  };
  return (
    <section class="card">
      <ProfileHead name={name || me.displayName} avatar={avatar} email={me.email} />
      <form onSubmit={save}>
        <label for="display-name">Display name</label>
        <input
          id="display-name"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label for="avatar-url">Picture URL (https, optional; initials otherwise)</label>
        <input
          id="avatar-url"
          type="url"
          inputMode="url"
          placeholder="https://…"
          value={avatar}
          onInput={(e) => setAvatar(e.currentTarget.value)}
        />
        <button type="submit">Save</button>
        <InfoNote>{saved}</InfoNote>
        <ErrorNote>{action.error}</ErrorNote>
      </form>
    </section>
  );
}

/** The picture as it will look (an https URL, else initials) and the address signed in with. */
function ProfileHead({ name, avatar, email }: { name: string; avatar: string; email: string }) {
  return (
    <div class="profile-head">
      <Avatar name={name} url={avatar.startsWith("https://") ? avatar : null} size="large" />
      <p class="hint">
        Signed in as <bdi>{email}</bdi>
      </p>
    </div>
  );
}
