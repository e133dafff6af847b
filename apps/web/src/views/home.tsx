import type { FriendSummary, GroupSummary } from "@clofri/protocol";
import { MAX_NAME_LENGTH } from "@clofri/protocol/text";
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { navigate } from "../router.ts";
import { requestsSync } from "../session.ts";
import { activityOf, byActivity, unreadLabel } from "../state/awareness.ts";
import { checkName } from "../state/names.ts";
import { friendStatus, presentIn, typingNames } from "../state/selectors.ts";
import { groupJoined } from "../state/sends.ts";
import { app, update } from "../state/store.ts";
import { presentLine, typingLine } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { FriendChecklist } from "../ui/friend-checklist.tsx";
import { ErrorNote } from "../ui/notice.tsx";
import { PersonRow } from "../ui/person-row.tsx";
import { Sentence } from "../ui/sentence.tsx";
import { useAction } from "../ui/use-action.ts";
import { IncomingRequestRow } from "./friends.tsx";

export function Home() {
  const state = app.value;
  const online = state.friends.filter((f) => f.online);
  const chats = byActivity(state, state.groups);
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
            {online.map((friend) => (
              <AroundRow key={friend.id} friend={friend} />
            ))}
          </ul>
        )}
      </section>
      <IncomingRequests />
      <section aria-labelledby="groups-title" class="card">
        <h2 id="groups-title">Your groups</h2>
        {chats.length === 0 ? (
          <p class="empty">No groups yet. Start one below with a few friends.</p>
        ) : (
          <ul class="groups">
            {chats.map((group) => (
              <GroupRow key={group.id} group={group} />
            ))}
          </ul>
        )}
        <CreateGroup />
      </section>
    </div>
  );
}

/** A friend who is around: a click opens our direct chat. */
function AroundRow({ friend }: { friend: FriendSummary }) {
  const status = friendStatus(app.value, friend);
  const action = useAction();
  const open = () =>
    void action.run(async () => {
      const { group } = await api<{ group: { id: string } }>("POST", `/api/direct/${friend.id}`);
      navigate(`/g/${group.id}`);
    });
  return (
    <PersonRow
      name={friend.displayName}
      avatarUrl={friend.avatarUrl}
      presence={status}
      status={status}
    >
      <button
        type="button"
        class="secondary small"
        onClick={open}
        aria-label={`Chat with ${friend.displayName}`}
      >
        Chat
      </button>
      {action.error && <ErrorNote>{action.error}</ErrorNote>}
    </PersonRow>
  );
}

function GroupRow({ group }: { group: GroupSummary }) {
  const state = app.value;
  const people = presentIn(state, group);
  const typing = typingLine(typingNames(state, group.id));
  const { unread, mentioned, preview } = activityOf(state, group.id);
  const here = presentLine(people.map((p) => p.displayName));
  const author = preview && (preview.userId === state.me?.id ? "You" : preview.displayName);
  return (
    <li>
      <a href={`/g/${group.id}`} class={`group-row${unread > 0 ? " has-unread" : ""}`}>
        <span class="group-name">
          <bdi>{group.name}</bdi>
          {mentioned && (
            <span class="mention-mark" title="You were mentioned">
              @<span class="visually-hidden"> you were mentioned</span>
            </span>
          )}
          {unread > 0 && (
            <span class="unread-count" title={`${unread} unread`}>
              {unreadLabel(unread)}
              <span class="visually-hidden"> unread</span>
            </span>
          )}
        </span>
        <span class="faces" aria-hidden="true">
          {people.slice(0, 5).map((p) => (
            <Avatar key={p.userId} name={p.name} url={p.avatarUrl} presence={p.status} />
          ))}
        </span>
        <span class="group-meta">
          <Sentence phrase={typing.length > 0 ? typing : here} />
        </span>
        {preview && (
          <span class="preview" dir="auto">
            <bdi>{author}</bdi>: {preview.text}
          </span>
        )}
      </a>
    </li>
  );
}

function IncomingRequests() {
  const incoming = app.value.incomingRequests;
  const action = useAction();
  if (incoming.length === 0) return null;
  const answer = (id: string, verb: "accept" | "ignore") =>
    void action.run(() => requestsSync.answer(id, verb));
  return (
    <section aria-labelledby="requests-title" class="card">
      <h2 id="requests-title">Friend requests</h2>
      <ul class="people">
        {incoming.map((request) => (
          <IncomingRequestRow
            key={request.id}
            request={request}
            answer={answer}
            onError={action.setError}
          />
        ))}
      </ul>
      <ErrorNote>{action.error}</ErrorNote>
    </section>
  );
}

function CreateGroup() {
  const friends = app.value.friends;
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    const checked = checkName(name, "Group name");
    if (!checked.ok) return action.setError(checked.problem);
    void action.run(async () => {
      const { group } = await api<{ group: GroupSummary }>("POST", "/api/groups", {
        name: checked.name,
        memberIds: chosen,
      });
      update((s) => groupJoined(s, group));
      navigate(`/g/${group.id}`);
    });
  };
  return (
    <form class="create-group" onSubmit={create} aria-labelledby="create-title">
      <h3 id="create-title">Start a group</h3>
      <label for="group-name">Name</label>
      <input
        id="group-name"
        required
        maxLength={MAX_NAME_LENGTH}
        value={name}
        placeholder="The couch"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      {friends.length > 0 ? (
        <FriendChecklist friends={friends} chosen={chosen} onChange={setChosen}>
          <legend>Who's in</legend>
        </FriendChecklist>
      ) : (
        <p class="hint">
          Add friends first on the <a href="/friends">Friends</a> page, or start it alone and invite
          people with a link.
        </p>
      )}
      <button type="submit" disabled={action.isBusy}>
        Create group
      </button>
      <ErrorNote>{action.error}</ErrorNote>
    </form>
  );
}
