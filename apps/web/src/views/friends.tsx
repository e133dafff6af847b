import type { FriendSummary, UserSummary } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";
import { requestsSync } from "../session.ts";
import type { IncomingRequest, OutgoingRequest } from "../state/app-state.ts";
import { friendStatus } from "../state/selectors.ts";
import { app, now, update } from "../state/store.ts";
import { fuzzyLastSeen, named, type Phrase } from "../state/wording.ts";
import { BlockButton } from "../ui/block-button.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { ErrorNote, InfoNote } from "../ui/notice.tsx";
import { PersonRow } from "../ui/person-row.tsx";
import { Sentence } from "../ui/sentence.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

type Answer = (id: string, action: "accept" | "ignore" | "cancel") => void;

export function Friends() {
  const state = app.value;
  const action = useAction();
  const answer: Answer = (id, verb) => void action.run(() => requestsSync.answer(id, verb));
  return (
    <div class="page friends">
      <h1>Friends</h1>
      <FriendCode />
      <AddByCode onDone={() => void requestsSync.refresh()} />
      <ErrorNote>{action.error}</ErrorNote>
      <Requests
        incoming={state.incomingRequests}
        outgoing={state.outgoingRequests}
        answer={answer}
        onError={action.setError}
      />
      <section class="card" aria-labelledby="list-title">
        <h2 id="list-title">Your friends</h2>
        {state.friends.length === 0 ? (
          <p class="empty">No friends yet. Share your code, or add someone's.</p>
        ) : (
          <ul class="people">
            {state.friends.map((friend) => (
              <FriendRow key={friend.id} friend={friend} onError={action.setError} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function FriendCode() {
  const code = useLoad("code", () =>
    api<{ code: string; link: string }>("GET", "/api/friends/code"),
  );
  return (
    <section class="card" aria-labelledby="code-title">
      <h2 id="code-title">Your friend code</h2>
      {code.data ? (
        <>
          <p class="code-line">
            <code class="friend-code">{code.data.code}</code>
            <CopyButton text={code.data.code} label="Copy your friend code" />
          </p>
          <p class="code-line">
            <input
              class="link-field"
              readOnly
              value={code.data.link}
              aria-label="Your add-friend link"
            />
            <CopyButton text={code.data.link} label="Copy your add-friend link" />
          </p>
          <p class="hint">Share the code or link with a friend; only people who have it can ask.</p>
        </>
      ) : (
        <p>{code.error ?? "Loading…"}</p>
      )}
    </section>
  );
}

function Requests(props: {
  incoming: IncomingRequest[];
  outgoing: OutgoingRequest[];
  answer: Answer;
  onError: (error: string | null) => void;
}) {
  const { incoming, outgoing, answer, onError } = props;
  if (incoming.length + outgoing.length === 0) return null;
  return (
    <section class="card" aria-labelledby="req-title">
      <h2 id="req-title">Requests</h2>
      <ul class="people">
        {incoming.map((r) => (
          <IncomingRequestRow
            key={r.id}
            request={r}
            answer={answer}
            status="wants to be friends"
            onError={onError}
          />
        ))}
        {outgoing.map((r) => (
          <PersonRow
            key={r.id}
            name={r.to.displayName}
            avatarUrl={r.to.avatarUrl}
            status="asked, waiting"
          >
            <button type="button" class="secondary" onClick={() => answer(r.id, "cancel")}>
              Cancel
            </button>
          </PersonRow>
        ))}
      </ul>
    </section>
  );
}

/** A request to me and its answers; `status` words it where the list needs that. */
export function IncomingRequestRow(props: {
  request: IncomingRequest;
  answer: (id: string, verb: "accept" | "ignore") => void;
  status?: string;
  onError: (error: string | null) => void;
}) {
  const { request, answer } = props;
  return (
    <PersonRow
      name={request.from.displayName}
      avatarUrl={request.from.avatarUrl}
      status={props.status}
    >
      <button type="button" onClick={() => answer(request.id, "accept")}>
        Accept
      </button>
      <button type="button" class="secondary" onClick={() => answer(request.id, "ignore")}>
        Ignore
      </button>
      <BlockButton
        userId={request.from.id}
        name={request.from.displayName}
        onError={props.onError}
      />
    </PersonRow>
  );
}

function FriendRow({
  friend,
  onError,
}: {
  friend: FriendSummary;
  onError: (e: string | null) => void;
}) {
  const status = friendStatus(app.value, friend);
  const seen = fuzzyLastSeen(friend.online, friend.lastSeen, now.value + app.value.clockOffsetMs);
  return (
    <PersonRow
      name={friend.displayName}
      avatarUrl={friend.avatarUrl}
      presence={status}
      status={status === "idle" || status === "busy" ? status : seen}
    >
      <FriendActions friend={friend} onError={onError} />
    </PersonRow>
  );
}

/** Chat, or remove after a second click that says who. */
function FriendActions({
  friend,
  onError,
}: {
  friend: FriendSummary;
  onError: (e: string | null) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const attempt = (work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (failure) {
      onError(problem(failure));
    }
  };
  const chat = attempt(async () => {
    const { group } = await api<{ group: { id: string } }>("POST", `/api/direct/${friend.id}`);
    navigate(`/g/${group.id}`);
  });
  const remove = attempt(async () => {
    await api("DELETE", `/api/friends/${friend.id}`);
    update((s) => ({ ...s, friends: s.friends.filter((f) => f.id !== friend.id) }));
  });
  return confirming ? (
    <>
      <button type="button" class="danger" onClick={remove}>
        Remove <bdi>{friend.displayName}</bdi>
      </button>
      <button type="button" class="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </>
  ) : (
    <>
      <button type="button" class="secondary" onClick={chat}>
        Chat
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => setConfirming(true)}
        aria-label={`Remove ${friend.displayName}`}
      >
        Remove
      </button>
      <BlockButton userId={friend.id} name={friend.displayName} onError={onError} />
    </>
  );
}

function AddByCode({ onDone, initial = "" }: { onDone?: () => void; initial?: string }) {
  const [code, setCode] = useState(initial);
  const [result, setResult] = useState<Phrase | null>(null);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setResult(null);
    void action.run(async () => {
      const answer = await api<{ request?: { to: UserSummary }; friend?: FriendSummary }>(
        "POST",
        "/api/friends/requests",
        { code: code.trim() },
      );
      setResult(
        answer.friend
          ? ["You and ", named(answer.friend.displayName), " are friends now."]
          : answer.request
            ? ["Request sent to ", named(answer.request.to.displayName), "."]
            : ["Request sent."],
      );
      setCode("");
      onDone?.();
    });
  };
  return (
    <section class="card" aria-labelledby="add-title">
      <h2 id="add-title">Add a friend</h2>
      <form class="inline-form" onSubmit={submit}>
        <label for="friend-code">Their friend code</label>
        <div class="row">
          <input
            id="friend-code"
            class="grow"
            required
            autocomplete="off"
            spellcheck={false}
            maxLength={32}
            value={code}
            placeholder="e.g. 7K3M9QXA"
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <button type="submit" disabled={action.isBusy}>
            Send request
          </button>
        </div>
      </form>
      <InfoNote>{result && <Sentence phrase={result} />}</InfoNote>
      <ErrorNote>{action.error}</ErrorNote>
    </section>
  );
}

export function AddFriendLink({ code }: { code: string }) {
  return (
    <div class="page">
      <h1>Add a friend</h1>
      <p>Someone shared their Clofri link with you. Send them a friend request?</p>
      <AddByCode initial={code} />
      <a href="/friends">Go to your friends</a>
    </div>
  );
}
