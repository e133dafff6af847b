import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { signOut } from "../session.ts";
import { update } from "../state/store.ts";
import { Avatar } from "../ui/avatar.tsx";
import { ErrorNote, InfoNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface Me {
  id: string;
  email: string;
  displayName: string;
  avatarUrl: string | null;
  friendCode: string;
}

export function Profile() {
  const me = useLoad("me", () => api<{ user: Me }>("GET", "/api/me").then((a) => a.user));
  const [name, setName] = useState("");
  const [avatar, setAvatar] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (me.data) {
      setName(me.data.displayName);
      setAvatar(me.data.avatarUrl ?? "");
    }
  }, [me.data]);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const { user } = await api<{ user: Me }>("PATCH", "/api/me", {
        displayName: name.trim(),
        avatarUrl: avatar.trim() === "" ? null : avatar.trim(),
      });
      update((s) =>
        s.me
          ? { ...s, me: { ...s.me, displayName: user.displayName, avatarUrl: user.avatarUrl } }
          : s,
      );
      setSaved("Saved.");
    } catch (failure) {
      setError(problem(failure));
    }
  };

  return (
    <div class="page profile">
      <h1>Profile</h1>
      {me.data ? (
        <section class="card">
          <div class="profile-head">
            <Avatar
              name={name || me.data.displayName}
              url={avatar.startsWith("https://") ? avatar : null}
              size="large"
            />
            <p class="hint">Signed in as {me.data.email}</p>
          </div>
          <form onSubmit={save}>
            <label for="display-name">Display name</label>
            <input
              id="display-name"
              required
              maxLength={64}
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
            <ErrorNote>{error}</ErrorNote>
          </form>
        </section>
      ) : (
        <p role="status">{me.error ?? "Loading…"}</p>
      )}
      <section class="card">
        <button type="button" class="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </section>
    </div>
  );
}
