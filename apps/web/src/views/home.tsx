import type { GroupSummary, UserSummary } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";
import { friendStatus, presentIn, typingNames } from "../state/selectors.ts";
import { app, update } from "../state/store.ts";
import { peopleList, typingLine } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface RequestsAnswer {
  incoming: { id: string; from: UserSummary; createdAt: number }[];
  outgoing: { id: string; to: UserSummary; createdAt: number }[];
}

export function Home() {
  const state = app.value;
  const online = state.friends.filter((f) => f.online);
  const groups = state.groups.filter((g) => g.kind === "group");
  const directs = state.groups.filter((g) => g.kind === "direct");
  return (
    <div class="page home">
      <h1 class="visually-hidden">Who's around</h1>
      <section aria-labelledby="around-title" class="card">
        <h2 id="around-title">Around now</h2>
        {online.length === 0 ? (
          <p class="empty">
            Nobody's around right now. Your friends show up here when they open Clofri.
          </p>
        ) : (
          <ul class="people">
            {online.map((friend) => {
              const status = friendStatus(state, friend);
              return (
                <li key={friend.id} class="person">
                  <Avatar name={friend.displayName} url={friend.avatarUrl} presence={status} />
                  <span class="name">{friend.displayName}</span>
                  <span class="status-word">{status}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <IncomingRequests />
      <section aria-labelledby="groups-title" class="card">
        <h2 id="groups-title">Your groups</h2>
        {groups.length === 0 && directs.length === 0 ? (
          <p class="empty">No groups yet. Start one below with a few friends.</p>
        ) : (
          <ul class="groups">
            {[...groups, ...directs].map((group) => (
              <GroupRow key={group.id} group={group} />
            ))}
          </ul>
        )}
        <CreateGroup />
      </section>
    </div>
  );
}

function GroupRow({ group }: { group: GroupSummary }) {
  const state = app.value;
  const people = presentIn(state, group);
  const typing = typingLine(typingNames(state, group.id));
  const room = state.rooms[group.id];
  const here =
    people.length === 0
      ? "Nobody's here"
      : `${peopleList(people.map((p) => p.displayName))} ${people.length === 1 && people[0]?.displayName !== "You" ? "is" : "are"} here`;
  return (
    <li>
      <a href={`/g/${group.id}`} class="group-row">
        <span class="group-name">
          {group.name}
          {room?.unread && (
            <span class="unread-dot" role="img" aria-label="new messages" title="New messages" />
          )}
        </span>
        <span class="faces" aria-hidden="true">
          {people.slice(0, 5).map((p) => (
            <Avatar key={p.userId} name={p.name} url={p.avatarUrl} presence={p.status} />
          ))}
        </span>
        <span class="group-meta">{typing || here}</span>
      </a>
    </li>
  );
}

function IncomingRequests() {
  const live = app.value.incomingRequests;
  const requests = useLoad(`requests-${live.length}`, () =>
    api<RequestsAnswer>("GET", "/api/friends/requests"),
  );
  const [error, setError] = useState<string | null>(null);
  const incoming = requests.data?.incoming ?? [];
  if (incoming.length === 0) return null;
  const answer = async (id: string, verb: "accept" | "ignore") => {
    setError(null);
    try {
      await api("POST", `/api/friends/requests/${id}/${verb}`);
      update((s) => ({ ...s, incomingRequests: s.incomingRequests.filter((r) => r.id !== id) }));
      requests.reload();
    } catch (failure) {
      setError(problem(failure));
    }
  };
  return (
    <section aria-labelledby="requests-title" class="card">
      <h2 id="requests-title">Friend requests</h2>
      <ul class="people">
        {incoming.map((request) => (
          <li key={request.id} class="person">
            <Avatar name={request.from.displayName} url={request.from.avatarUrl} />
            <span class="name">{request.from.displayName}</span>
            <span class="actions">
              <button type="button" onClick={() => answer(request.id, "accept")}>
                Accept
              </button>
              <button type="button" class="secondary" onClick={() => answer(request.id, "ignore")}>
                Ignore
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ErrorNote>{error}</ErrorNote>
    </section>
  );
}

function CreateGroup() {
  const friends = app.value.friends;
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { group } = await api<{ group: GroupSummary }>("POST", "/api/groups", {
        name: name.trim(),
        memberIds: chosen,
      });
      update((s) =>
        s.groups.some((g) => g.id === group.id) ? s : { ...s, groups: [...s.groups, group] },
      );
      navigate(`/g/${group.id}`);
    } catch (failure) {
      setError(problem(failure));
      setBusy(false);
    }
  };
  return (
    <form class="create-group" onSubmit={create} aria-labelledby="create-title">
      <h3 id="create-title">Start a group</h3>
      <label for="group-name">Name</label>
      <input
        id="group-name"
        required
        maxLength={64}
        value={name}
        placeholder="The couch"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      {friends.length > 0 ? (
        <fieldset>
          <legend>Who's in</legend>
          {friends.map((friend) => (
            <label key={friend.id} class="check">
              <input
                type="checkbox"
                checked={chosen.includes(friend.id)}
                onChange={(e) =>
                  setChosen((ids) =>
                    e.currentTarget.checked
                      ? [...ids, friend.id]
                      : ids.filter((id) => id !== friend.id),
                  )
                }
              />
              {friend.displayName}
            </label>
          ))}
        </fieldset>
      ) : (
        <p class="hint">
          Add friends first on the <a href="/friends">Friends</a> page, or start it alone and invite
          people with a link.
        </p>
      )}
      <button type="submit" disabled={busy}>
        Create group
      </button>
      <ErrorNote>{error}</ErrorNote>
    </form>
  );
}
