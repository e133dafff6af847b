import type { GroupSummary, UserSummary } from "@clofri/protocol";
import { api } from "../api.ts";
import { navigate } from "../router.ts";
import { groupJoined } from "../state/sends.ts";
import { app, now, update } from "../state/store.ts";
import { timeUntil } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { useAction } from "../ui/use-action.ts";
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
  const path = `/api/invites/${encodeURIComponent(code)}`;
  const preview = useLoad(`invite-${code}`, () =>
    api<{ invite: Preview }>("GET", path).then((a) => a.invite),
  );
  const action = useAction();
  const join = () =>
    action.run(async () => {
      const { group } = await api<{ group: GroupSummary }>("POST", `${path}/join`);
      update((s) => groupJoined(s, group));
      navigate(`/g/${group.id}`, { replace: true });
    });
  const invite = preview.data;
  return (
    <div class="page">
      <h1>Join a group</h1>
      <section class="card">
        {invite ? (
          <InvitePreview invite={invite} onJoin={join} isBusy={action.isBusy} />
        ) : (
          <p role={preview.error ? "alert" : "status"}>{preview.error ?? "Loading the invite…"}</p>
        )}
        <ErrorNote>{action.error}</ErrorNote>
      </section>
    </div>
  );
}

function InvitePreview(props: { invite: Preview; onJoin: () => void; isBusy: boolean }) {
  const { invite } = props;
  return (
    <>
      <div class="person">
        <Avatar name={invite.inviter.displayName} url={invite.inviter.avatarUrl} />
        <p>
          <strong>
            <bdi>{invite.inviter.displayName}</bdi>
          </strong>{" "}
          invited you to{" "}
          <strong>
            <bdi>{invite.group.name}</bdi>
          </strong>{" "}
          ({invite.group.memberCount} {invite.group.memberCount === 1 ? "member" : "members"}
          ).
        </p>
      </div>
      {invite.isMember ? (
        <p>
          You're already in this group. <a href={`/`}>See who's around</a>
        </p>
      ) : (
        <>
          <p class="hint">
            This invite expires {timeUntil(invite.expiresAt, now.value + app.value.clockOffsetMs)}.
          </p>
          <button type="button" onClick={props.onJoin} disabled={props.isBusy}>
            Join <bdi>{invite.group.name}</bdi>
          </button>
        </>
      )}
    </>
  );
}
