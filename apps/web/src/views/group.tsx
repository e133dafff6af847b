import type { Retention } from "@clofri/protocol";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { navigate } from "../router.ts";
import { client } from "../session.ts";
import { roomOf } from "../state/app-state.ts";
import { presentIn, typingNames } from "../state/selectors.ts";
import { discardSend, dismissBanners, viewGroup } from "../state/sends.ts";
import { app, now, update } from "../state/store.ts";
import { type TimelineItem, timeline } from "../state/timeline.ts";
import { timeUntil, typingLine } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";

export function GroupView({ id }: { id: string }) {
  const state = app.value;
  const group = state.groups.find((g) => g.id === id);
  const known = state.me !== null;

  useEffect(() => {
    update((s) => viewGroup(s, id));
    return () => update((s) => viewGroup(s, null));
  }, [id]);
  const isMember = group !== undefined;
  const wasMember = useRef(false);
  useEffect(() => {
    if (isMember && known) client.openRoom(id);
    // Removed, or the group was deleted, while looking at it: back home, where the flash says why.
    if (!isMember && wasMember.current) navigate("/", { replace: true });
    wasMember.current = isMember;
  }, [id, isMember, known]);

  if (!group) {
    return (
      <div class="page">
        <p class="empty" role="status">
          {known ? "This group doesn't exist, or you're not in it." : "Loading…"}
        </p>
        {known && <a href="/">Back to who's around</a>}
      </div>
    );
  }

  const room = roomOf(state, id);
  const people = presentIn(state, group);
  const typing = typingLine(typingNames(state, id));
  return (
    <div class="page group-page">
      <header class="group-head">
        <div class="group-title">
          <h1>{group.name}</h1>
          <ul class="present" aria-label="In the room now">
            {people.map((p) => (
              <li key={p.userId} class={`chip chip-${p.status}`}>
                <Avatar name={p.name} url={p.avatarUrl} presence={p.status} />
                <span>{p.displayName}</span>
                <span class="visually-hidden">, {p.status}</span>
              </li>
            ))}
          </ul>
        </div>
        <div class="group-actions">
          <a class="button secondary" href={`/g/${id}/settings`}>
            Settings
          </a>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              client.leaveRoom(id);
              navigate("/");
            }}
          >
            Step out
          </button>
        </div>
      </header>
      <p class="retention-note">
        Only the last {room.retention.maxMessages} messages from the past {hours(room.retention)}{" "}
        exist. Nothing is saved; older messages fade and disappear.
      </p>
      <Banners id={id} />
      <Messages id={id} />
      <p class="typing" aria-live="polite">
        {typing}
      </p>
      <Composer id={id} muted={group.muted} />
    </div>
  );
}

function hours(retention: Retention): string {
  const h = Math.round(retention.maxAgeMs / 3_600_000);
  return h >= 1 ? `${h} h` : `${Math.round(retention.maxAgeMs / 60_000)} min`;
}

function Banners({ id }: { id: string }) {
  const room = roomOf(app.value, id);
  const dismiss = () => update((s) => dismissBanners(s, id));
  return (
    <>
      {room.expiredMissed > 0 && (
        <div class="banner" role="status">
          <span>
            {room.expiredMissed === 1
              ? "1 message expired while you were away."
              : `${room.expiredMissed} messages expired while you were away.`}
          </span>
          <button type="button" class="link" onClick={dismiss}>
            OK
          </button>
        </div>
      )}
      {room.restarted && (
        <div class="banner" role="status">
          <span>The room started anew: messages from before are gone.</span>
          <button type="button" class="link" onClick={dismiss}>
            OK
          </button>
        </div>
      )}
      {room.notice && (
        <div class="banner banner-warn" role="status">
          {room.notice}
        </div>
      )}
    </>
  );
}

function Messages({ id }: { id: string }) {
  const state = app.value;
  const room = roomOf(state, id);
  const items = timeline(room, now.value, state.clockOffsetMs);
  const list = useRef<HTMLOListElement>(null);
  const stuckToBottom = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  });
  const onScroll = () => {
    const el = list.current;
    if (el) stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the list scrolls on its own; keyboard users focus it to scroll
    <ol class="messages" ref={list} onScroll={onScroll} aria-label="Conversation" tabIndex={0}>
      {items.length === 0 && (
        <li class="empty">{room.joined ? "No messages right now. Say hi." : "Joining…"}</li>
      )}
      {items.map((item) => (
        <Item
          key={itemKey(item)}
          item={item}
          group={id}
          myId={state.me?.id}
          serverNow={now.value + state.clockOffsetMs}
        />
      ))}
    </ol>
  );
}

function itemKey(item: TimelineItem): string {
  if (item.kind === "message") return item.message.key + item.message.userId;
  if (item.kind === "pending") return `${item.send.key}me`;
  return item.line.id;
}

function Item({
  item,
  group,
  myId,
  serverNow,
}: {
  item: TimelineItem;
  group: string;
  myId: string | undefined;
  serverNow: number;
}) {
  if (item.kind === "system") {
    return <li class="system">{item.line.text}</li>;
  }
  if (item.kind === "pending") {
    const { send } = item;
    return (
      <li class={`msg mine ${send.state}`}>
        <div class="meta">
          <span class="author">You</span>
          <span class="when">{send.state === "pending" ? "sending…" : "not sent"}</span>
        </div>
        <p class="text">{send.text}</p>
        {send.state === "failed" && (
          <div class="failed-row" role="alert">
            <span>{send.error}</span>
            <button type="button" class="small" onClick={() => client.retry(group, send.key)}>
              Retry
            </button>
            <button
              type="button"
              class="small link"
              onClick={() => update((s) => discardSend(s, group, send.key))}
            >
              Discard
            </button>
          </div>
        )}
      </li>
    );
  }
  const { message, removal, fade } = item;
  const { retention } = roomOf(app.value, group);
  const mine = message.userId === myId;
  const goes =
    removal.reason === "cap"
      ? `goes after ${removal.messagesLeft} more message${removal.messagesLeft === 1 ? "" : "s"} (${retention.maxMessages}-message limit)`
      : `goes ${timeUntil(removal.expiresAtMs, serverNow)} (${hours(retention)} limit)`;
  return (
    <li class={`msg fade-${fade} ${mine ? "mine" : ""}`}>
      <div class="meta">
        <span class="author">{mine ? "You" : message.displayName}</span>
        <time dateTime={new Date(message.ts).toISOString()}>{clock(message.ts)}</time>
        <span class="goes" title={goes}>
          {goes}
        </span>
      </div>
      <p class="text">{message.text}</p>
    </li>
  );
}

function clock(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function Composer({ id, muted }: { id: string; muted: boolean }) {
  const [text, setText] = useState("");
  const max = app.value.limits.maxTextLength;
  const submit = () => {
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.length > max || muted) return;
    client.send(id, trimmed);
    setText("");
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label for="composer" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer"
        rows={1}
        value={text}
        disabled={muted}
        placeholder={muted ? "You're muted here" : "Say something…"}
        aria-describedby="composer-keys composer-hint"
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          client.typed(id, value);
        }}
        onBlur={() => client.typingStopped(id)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" class="send" disabled={muted || text.trim() === ""}>
        Send
      </button>
      <span id="composer-keys" class="visually-hidden">
        Enter sends; Shift+Enter starts a new line.
      </span>
      <span id="composer-hint" class={`count ${text.length > max ? "over" : ""}`}>
        {text.length > max * 0.8 ? `${text.length}/${max}` : ""}
      </span>
    </form>
  );
}
