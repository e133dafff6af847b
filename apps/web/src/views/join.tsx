import type { GroupSummary, UserSummary } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";
import { app, now, update } from "../state/store.ts";
import { timeUntil } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface Preview {
  code: string;
  group: { name: string; memberCount: number };
  inviter: UserSummary;
  expiresAt: number;
  isMember: boolean;
}

/** An invite link shows what it leads to first; joining is a separate, deliberate click. */
export function Join({ code }: { code: string }) {
  const preview = useLoad(`invite-${code}`, () =>
    api<{ invite: Preview }>("GET", `/api/invites/${encodeURIComponent(code)}`).then(
      (a) => a.invite,
    ),
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const { group } = await api<{ group: GroupSummary }>(
        "POST",
        `/api/invites/${encodeURIComponent(code)}/join`,
      );
      update((s) =>
        s.groups.some((g) => g.id === group.id) ? s : { ...s, groups: [...s.groups, group] },
      );
      navigate(`/g/${group.id}`, { replace: true });
    } catch (failure) {
      setError(problem(failure));
      setBusy(false);
    }
  };
  const invite = preview.data;
  return (
    <div class="page">
      <h1>Join a group</h1>
      <section class="card">
        {invite ? (
          <>
            <div class="person">
              <Avatar name={invite.inviter.displayName} url={invite.inviter.avatarUrl} />
              <p>
                <strong>{invite.inviter.displayName}</strong> invited you to{" "}
                <strong>{invite.group.name}</strong> ({invite.group.memberCount}{" "}
                {invite.group.memberCount === 1 ? "member" : "members"}).
              </p>
            </div>
            {invite.isMember ? (
              <p>
                You're already in this group. <a href={`/`}>See who's around</a>
              </p>
            ) : (
              <>
                <p class="hint">
                  This invite expires{" "}
                  {timeUntil(invite.expiresAt, now.value + app.value.clockOffsetMs)}.
                </p>
                <button type="button" onClick={join} disabled={busy}>
                  Join {invite.group.name}
                </button>
              </>
            )}
          </>
        ) : (
          <p role={preview.error ? "alert" : "status"}>{preview.error ?? "Loading the invite…"}</p>
        )}
        <ErrorNote>{error}</ErrorNote>
      </section>
    </div>
  );
}
