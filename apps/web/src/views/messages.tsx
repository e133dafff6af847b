import type { Message } from "@clofri/protocol";
import type { RefObject } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { client } from "../session.ts";
import { type AppState, currentNameOf, type PendingSend, roomOf } from "../state/app-state.ts";
import { deliveryOf, seenBy } from "../state/awareness.ts";
import { discardSend } from "../state/sends.ts";
import { app, now, update } from "../state/store.ts";
import { type TimelineItem, timeline } from "../state/timeline.ts";
import { ageLimit, seenByLine, timeUntil } from "../state/wording.ts";
import { LinkedText } from "../ui/linked-text.tsx";
import { Sentence } from "../ui/sentence.tsx";
import { MessageActions, Quote, Reactions } from "./message-extras.tsx";
import { rosters } from "./roster.ts";

const LOG_ROLE = { role: "log" } as Record<string, string>;

/** How close to the bottom still counts as reading the newest, so new lines scroll into view. */
const STUCK_TO_BOTTOM_PX = 40;

/** The conversation: messages, my sends on their way, and what happened, oldest first. */
export function Messages({ id }: { id: string }) {
  const state = app.value;
  const room = roomOf(state, id);
  const items = timeline(room, now.value, state.clockOffsetMs);
  const list = useRef<HTMLOListElement>(null);
  const onScroll = useStuckToBottom(list);
  const me = state.me?.id ?? "";
  const dividerSeq = room.dividerSeq ?? Number.POSITIVE_INFINITY;
  const firstNew = room.messages.find((m) => m.seq > dividerSeq && m.userId !== me)?.id;
  const lastMine = [...room.messages].reverse().find((m) => m.userId === me)?.id;
  return (
    <ol
      class="messages"
      ref={list}
      onScroll={onScroll}
      aria-label="Conversation"
      // A live region: a screen reader announces each new message (Preact's types list only
      // list roles for <ol>).
      {...LOG_ROLE}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the list scrolls on its own; keyboard users focus it to scroll
      tabIndex={0}
    >
      {items.length === 0 && (
        <li class="empty">{room.joined ? "No messages right now. Say hi." : "Joining…"}</li>
      )}
      {items.map((item) => {
        const message = item.kind === "message" ? item.message : null;
        return [
          message !== null && message.id === firstNew && (
            <li key="new" class="new-divider">
              <span>New messages</span>
            </li>
          ),
          <Item key={itemKey(item)} item={item} group={id} />,
          message !== null && message.id === lastMine && (
            <SeenLine key="seen" message={message} group={id} />
          ),
        ];
      })}
    </ol>
  );
}

/**
 * A list read to its newest line stays there: after each render, and when it grows or shrinks
 * with no new line (a phone turned, its keyboard opened, a banner above it). Returns the list's
 * scroll handler, which notes whether the person has scrolled up.
 */
function useStuckToBottom(list: RefObject<HTMLOListElement | null>): () => void {
  const stuckToBottom = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  });
  useLayoutEffect(() => {
    const el = list.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (stuckToBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [list]);
  return () => {
    const el = list.current;
    if (el) {
      stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STUCK_TO_BOTTOM_PX;
    }
  };
}

function itemKey(item: TimelineItem): string {
  if (item.kind === "message") return item.message.key + item.message.userId;
  if (item.kind === "pending") return `${item.send.key}me`;
  return item.line.id;
}

function Item({ item, group }: { item: TimelineItem; group: string }) {
  if (item.kind === "system") {
    return (
      <li class="system">
        <Sentence phrase={item.line.text} />
      </li>
    );
  }
  if (item.kind === "pending") return <PendingItem send={item.send} group={group} />;
  const { retention } = roomOf(app.value, group);
  const goes =
    item.removal.reason === "cap"
      ? `goes after ${item.removal.messagesLeft} more message${item.removal.messagesLeft === 1 ? "" : "s"} (${retention.maxMessages}-message limit)`
      : `goes ${timeUntil(item.removal.expiresAtMs, now.value + app.value.clockOffsetMs)} (${ageLimit(retention.maxAgeMs)} limit)`;
  return <MessageItem message={item.message} fade={item.fade} goes={goes} group={group} />;
}

function PendingItem({ send, group }: { send: PendingSend; group: string }) {
  return (
    <li class={`msg mine ${send.state}`}>
      <div class="meta">
        <span class="author">You</span>
        <span class="when">{send.state === "pending" ? "sending…" : "not sent"}</span>
      </div>
      <p class="text" dir="auto">
        {send.text}
      </p>
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

function MessageItem(props: { message: Message; fade: number; goes: string; group: string }) {
  const { message, goes, group } = props;
  const state = app.value;
  const mine = message.userId === state.me?.id;
  const author = mine
    ? "You"
    : (currentNameOf(state, group, message.userId) ?? message.displayName);
  const quotedId = message.replyTo?.id;
  const original = quotedId && roomOf(state, group).messages.find((m) => m.id === quotedId);
  const quotedAuthor =
    original && (currentNameOf(state, group, original.userId) ?? original.displayName);
  return (
    <li id={`m-${message.id}`} class={`msg fade-${props.fade} ${mine ? "mine" : ""}`}>
      <div class="meta">
        <bdi class="author">{author}</bdi>
        <time dateTime={new Date(message.ts).toISOString()}>{clock(message.ts)}</time>
        {message.editedAt !== undefined && (
          <span class="edited" title={`edited at ${clock(message.editedAt)}`}>
            edited
          </span>
        )}
        <span class="goes" title={goes}>
          {goes}
        </span>
      </div>
      <Quote message={message} original={original || undefined} author={quotedAuthor || ""} />
      <p class="text" dir="auto">
        <LinkedText
          text={message.text}
          names={message.mentions.map((userId) => nameOf(state, group, userId))}
          myName={state.me?.displayName}
        />
      </p>
      <Reactions message={message} group={group} nameOf={(id) => nameOf(state, group, id)} />
      <MessageActions message={message} group={group} isMine={mine} />
    </li>
  );
}

function nameOf(state: AppState, group: string, userId: string): string {
  const fromRoster = rosters.value[group]?.find((m) => m.id === userId)?.displayName;
  return fromRoster ?? currentNameOf(state, group, userId) ?? "";
}

const DELIVERY_WORDS = { sent: "Sent", delivered: "Delivered", seen: "Seen" } as const;

/** Under my latest message: how far it got, and who has seen it. */
function SeenLine({ message, group }: { message: Message; group: string }) {
  const state = app.value;
  const delivery = deliveryOf(state, group, message);
  const seen = seenBy(state, group, message.seq);
  const others = (rosters.value[group] ?? []).filter((m) => m.id !== state.me?.id);
  const everyone = others.length > 0 && others.every((m) => seen.includes(m.id));
  const names = seen.map((userId) => nameOf(state, group, userId) || "Someone");
  return (
    <li class="seen-line" aria-live="off">
      {seen.length === 0 ? (
        DELIVERY_WORDS[delivery]
      ) : everyone ? (
        "Seen by everyone"
      ) : (
        <Sentence phrase={seenByLine(names)} />
      )}
    </li>
  );
}

function clock(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
