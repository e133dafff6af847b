import type { FriendSummary, UserSummary } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";
import { friendStatus } from "../state/selectors.ts";
import { app, now, update } from "../state/store.ts";
import { fuzzyLastSeen } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { ErrorNote, InfoNote } from "../ui/notice.tsx";
import { useLoad } from "../ui/use-load.ts";

interface RequestsAnswer {
  incoming: { id: string; from: UserSummary; createdAt: number }[];
  outgoing: { id: string; to: UserSummary; createdAt: number }[];
}

export function Friends() {
  const code = useLoad("code", () =>
    api<{ code: string; link: string }>("GET", "/api/friends/code"),
  );
  const state = app.value;
  const requests = useLoad(
    `requests-${state.incomingRequests.length}-${state.friends.length}`,
    () => api<RequestsAnswer>("GET", "/api/friends/requests"),
  );
  const [error, setError] = useState<string | null>(null);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      requests.reload();
    } catch (failure) {
      setError(problem(failure));
    }
  };

  return (
    <div class="page friends">
      <h1>Friends</h1>
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
            <p class="hint">
              Share the code or link with a friend; only people who have it can ask.
            </p>
          </>
        ) : (
          <p>{code.error ?? "Loading…"}</p>
        )}
      </section>
      <AddByCode onDone={requests.reload} />
      <ErrorNote>{error}</ErrorNote>
      {requests.data && requests.data.incoming.length + requests.data.outgoing.length > 0 && (
        <section class="card" aria-labelledby="req-title">
          <h2 id="req-title">Requests</h2>
          <ul class="people">
            {requests.data.incoming.map((r) => (
              <li key={r.id} class="person">
                <Avatar name={r.from.displayName} url={r.from.avatarUrl} />
                <span class="name">{r.from.displayName}</span>
                <span class="status-word">wants to be friends</span>
                <span class="actions">
                  <button
                    type="button"
                    onClick={() =>
                      act(async () => {
                        await api("POST", `/api/friends/requests/${r.id}/accept`);
                        update((s) => ({
                          ...s,
                          incomingRequests: s.incomingRequests.filter((x) => x.id !== r.id),
                        }));
                      })
                    }
                  >
                    Accept
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act(async () => {
                        await api("POST", `/api/friends/requests/${r.id}/ignore`);
                        update((s) => ({
                          ...s,
                          incomingRequests: s.incomingRequests.filter((x) => x.id !== r.id),
                        }));
                      })
                    }
                  >
                    Ignore
                  </button>
                </span>
              </li>
            ))}
            {requests.data.outgoing.map((r) => (
              <li key={r.id} class="person">
                <Avatar name={r.to.displayName} url={r.to.avatarUrl} />
                <span class="name">{r.to.displayName}</span>
                <span class="status-word">asked, waiting</span>
                <span class="actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => act(() => api("DELETE", `/api/friends/requests/${r.id}`))}
                  >
                    Cancel
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="list-title">
        <h2 id="list-title">Your friends</h2>
        {state.friends.length === 0 ? (
          <p class="empty">No friends yet. Share your code, or add someone's.</p>
        ) : (
          <ul class="people">
            {state.friends.map((friend) => (
              <FriendRow key={friend.id} friend={friend} onError={setError} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function FriendRow({
  friend,
  onError,
}: {
  friend: FriendSummary;
  onError: (e: string | null) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const status = friendStatus(app.value, friend);
  const seen = fuzzyLastSeen(friend.online, friend.lastSeen, now.value + app.value.clockOffsetMs);
  const chat = async () => {
    try {
      const { group } = await api<{ group: { id: string } }>("POST", `/api/direct/${friend.id}`);
      navigate(`/g/${group.id}`);
    } catch (failure) {
      onError(problem(failure));
    }
  };
  const remove = async () => {
    try {
      await api("DELETE", `/api/friends/${friend.id}`);
      update((s) => ({ ...s, friends: s.friends.filter((f) => f.id !== friend.id) }));
    } catch (failure) {
      onError(problem(failure));
    }
  };
  return (
    <li class="person">
      <Avatar name={friend.displayName} url={friend.avatarUrl} presence={status} />
      <span class="name">{friend.displayName}</span>
      <span class="status-word">{friend.online && status === "idle" ? "idle" : seen}</span>
      <span class="actions">
        {confirming ? (
          <>
            <button type="button" class="danger" onClick={remove}>
              Remove {friend.displayName}
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
          </>
        )}
      </span>
    </li>
  );
}

export function AddByCode({ onDone, initial = "" }: { onDone?: () => void; initial?: string }) {
  const [code, setCode] = useState(initial);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await api<{ request?: { to: UserSummary }; friend?: FriendSummary }>(
        "POST",
        "/api/friends/requests",
        { code: code.trim() },
      );
      setResult(
        answer.friend
          ? `You and ${answer.friend.displayName} are friends now.`
          : `Request sent to ${answer.request?.to.displayName ?? "them"}.`,
      );
      setCode("");
      onDone?.();
    } catch (failure) {
      setError(problem(failure));
    } finally {
      setBusy(false);
    }
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
          <button type="submit" disabled={busy}>
            Send request
          </button>
        </div>
      </form>
      <InfoNote>{result}</InfoNote>
      <ErrorNote>{error}</ErrorNote>
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
