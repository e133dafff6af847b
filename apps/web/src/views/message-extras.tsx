import { excerpt, isOneEmoji, LIMITS, type Message } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { client } from "../session.ts";
import { actionNotice, draft } from "../state/drafts.ts";
import { app, now } from "../state/store.ts";

function failed(group: string) {
  return (text: string) => {
    actionNotice.value = { group, text };
  };
}

function react(group: string, message: Message, emoji: string, on: boolean) {
  client.act({ type: "react", group, id: message.id, emoji, on }, failed(group));
}

/** The reactions under a message: each emoji with its count; who reacted on hover or long-press. */
export function Reactions(props: {
  message: Message;
  group: string;
  nameOf: (id: string) => string;
}) {
  const { message, group, nameOf } = props;
  const [shown, setShown] = useState<string | null>(null);
  const me = app.value.me?.id ?? "";
  const entries = Object.entries(message.reactions);
  if (entries.length === 0) return null;
  return (
    <ul class="reactions" aria-label="Reactions">
      {entries.map(([emoji, who]) => {
        const names = who.map((id) => (id === me ? "You" : nameOf(id) || "Someone")).join(", ");
        const isMine = who.includes(me);
        return (
          <li key={emoji}>
            <button
              type="button"
              class={isMine ? "reaction mine" : "reaction"}
              aria-pressed={isMine}
              title={names}
              aria-label={`${emoji} ${who.length}: ${names}`}
              onClick={() => react(group, message, emoji, !isMine)}
              onContextMenu={(e) => {
                // A long press on a touch screen: show who, instead of the page's menu.
                e.preventDefault();
                setShown(shown === emoji ? null : emoji);
              }}
            >
              {emoji} <span class="count">{who.length}</span>
            </button>
            {shown === emoji && <span class="who">{names}</span>}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A reply's quote, as the original reads now (edits included) while it is in the room; a click
 * scrolls to it. Once it has faded or been unsent, the quote says so.
 */
export function Quote(props: { message: Message; original: Message | undefined; author: string }) {
  const { message, original, author } = props;
  const quote = message.replyTo;
  if (quote === undefined) return null;
  if (original === undefined || "gone" in quote) {
    return <p class="quote faded">The message this replies to has faded.</p>;
  }
  const go = () => {
    const target = document.getElementById(`m-${quote.id}`);
    if (target === null) return;
    target.scrollIntoView({ block: "center" });
    target.classList.remove("highlight");
    void target.offsetWidth; // restarts the highlight's animation
    target.classList.add("highlight");
  };
  return (
    <button type="button" class="quote" onClick={go} aria-label={`Go to ${author}'s message`}>
      <bdi class="author">{author}</bdi> <span dir="auto">{excerpt(original.text)}</span>
    </button>
  );
}

/** A small picker: the frequent ones, and a field for any single emoji. */
const FREQUENT_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

/** Reply, react, edit (mine, for 15 minutes) and unsend (mine, or anyone's for the creator). */
export function MessageActions(props: { message: Message; group: string; isMine: boolean }) {
  const { message, group, isMine } = props;
  const [picking, setPicking] = useState(false);
  const state = app.value;
  const isCreator = state.groups.find((g) => g.id === group)?.role === "creator";
  const serverNow = now.value + state.clockOffsetMs;
  const canEdit = isMine && serverNow - message.ts < LIMITS.editWindowMs;
  const start = (mode: "reply" | "edit") => {
    draft.value = { group, mode, message };
    document.getElementById("composer")?.focus();
  };
  return (
    <div class="msg-actions">
      <button type="button" class="small link" onClick={() => start("reply")}>
        Reply
      </button>
      <button
        type="button"
        class="small link"
        aria-expanded={picking}
        onClick={() => setPicking(!picking)}
      >
        React
      </button>
      {canEdit && (
        <button type="button" class="small link" onClick={() => start("edit")}>
          Edit
        </button>
      )}
      {(isMine || isCreator) && (
        <button
          type="button"
          class="small link danger"
          onClick={() => client.act({ type: "unsend", group, id: message.id }, failed(group))}
        >
          {isMine ? "Unsend" : "Remove"}
        </button>
      )}
      {picking && <Picker message={message} group={group} done={() => setPicking(false)} />}
    </div>
  );
}

function Picker(props: { message: Message; group: string; done: () => void }) {
  const { message, group, done } = props;
  const [typed, setTyped] = useState("");
  const me = app.value.me?.id ?? "";
  const pick = (emoji: string) => {
    const isOn = message.reactions[emoji]?.includes(me) ?? false;
    react(group, message, emoji, !isOn);
    done();
  };
  const valid = isOneEmoji(typed.trim());
  return (
    <form
      class="picker"
      aria-label="Pick a reaction"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) pick(typed.trim());
      }}
    >
      {FREQUENT_EMOJI.map((emoji) => (
        <button type="button" key={emoji} class="emoji" onClick={() => pick(emoji)}>
          {emoji}
        </button>
      ))}
      <input
        class="emoji-input"
        aria-label="Any emoji"
        placeholder="🙂"
        value={typed}
        maxLength={16}
        onInput={(e) => setTyped(e.currentTarget.value)}
      />
      <button type="submit" class="small" disabled={!valid}>
        Add
      </button>
    </form>
  );
}
