import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { withLatestProfile } from "../state/profiles.ts";
import { app } from "../state/store.ts";
import { FriendChecklist } from "../ui/friend-checklist.tsx";
import { PersonRow } from "../ui/person-row.tsx";

/** A group as GET /api/groups/:id describes it, members included. */
export interface GroupDetails {
  id: string;
  name: string;
  kind: "group" | "direct";
  role: "creator" | "member";
  members: Member[];
}

interface Member {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  role: "creator" | "member";
  muted: boolean;
}

export type Act = (work: () => Promise<unknown>) => Promise<void>;

/** The members; the creator can mute and remove the others. */
export function Members({
  group,
  isCreator,
  act,
}: {
  group: GroupDetails;
  isCreator: boolean;
  act: Act;
}) {
  const me = app.value.me?.id;
  return (
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">Members ({group.members.length})</h2>
      <ul class="people">
        {group.members
          .map((loaded) => withLatestProfile(app.value, loaded))
          .map((m) => (
            <PersonRow
              key={m.id}
              name={m.displayName}
              label={m.id === me ? "You" : undefined}
              avatarUrl={m.avatarUrl}
              status={m.role === "creator" ? "creator" : m.muted ? "muted" : "member"}
            >
              {isCreator && m.id !== me && <MemberActions group={group.id} member={m} act={act} />}
            </PersonRow>
          ))}
      </ul>
    </section>
  );
}

function MemberActions({ group, member, act }: { group: string; member: Member; act: Act }) {
  const path = `/api/groups/${group}/members/${member.id}`;
  return (
    <>
      <button
        type="button"
        class="secondary"
        onClick={() => act(() => api("PATCH", path, { muted: !member.muted }))}
      >
        {member.muted ? "Unmute " : "Mute "}
        <bdi>{member.displayName}</bdi>
      </button>
      <button type="button" class="danger" onClick={() => act(() => api("DELETE", path))}>
        Remove <bdi>{member.displayName}</bdi>
      </button>
    </>
  );
}

/** Friends who are not in the group yet, to add at once. */
export function AddMembers({ group, act }: { group: GroupDetails; act: Act }) {
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
        <FriendChecklist friends={candidates} chosen={chosen} onChange={setChosen}>
          <legend class="visually-hidden">Friends not in the group</legend>
        </FriendChecklist>
        <button type="submit" disabled={chosen.length === 0}>
          Add to group
        </button>
      </form>
    </section>
  );
}
