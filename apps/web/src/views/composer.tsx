import { excerpt } from "@clofri/protocol";
import { useEffect, useRef, useState } from "preact/hooks";
import { client } from "../session.ts";
import { actionNotice, draft } from "../state/drafts.ts";
import { app } from "../state/store.ts";
import { mentionsIn, type RosterMember, rosters } from "./roster.ts";

/** The count of characters shows from this share of the limit on. */
const SHOW_COUNT_FROM = 0.8;

export function Composer({ id, muted }: { id: string; muted: boolean }) {
  const [text, setText] = useState("");
  const max = app.value.limits.maxTextLength;
  const mention = useMentionPicker(text, setText, rosters.value[id] ?? [], app.value.me?.id);
  const { editing, submit } = useSubmit(id, text, setText, muted);
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <DraftBar group={id} clear={() => setText("")} />
      <label for="composer" class="visually-hidden">
        Message
      </label>
      <MentionChoices matches={mention.matches} chosen={mention.chosen} pick={mention.pick} />
      <textarea
        ref={mention.box}
        id="composer"
        rows={1}
        value={text}
        disabled={muted}
        placeholder={muted ? "You're muted here" : "Say something…"}
        aria-describedby="composer-keys composer-hint"
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          mention.moved(e.currentTarget);
          client.typed(id, value);
        }}
        onKeyUp={(e) => mention.moved(e.currentTarget)}
        onBlur={() => client.typingStopped(id)}
        onKeyDown={(e) => {
          if (mention.key(e)) return;
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" class="send" disabled={muted || text.trim() === ""}>
        {editing ? "Save" : "Send"}
      </button>
      <span id="composer-keys" class="visually-hidden">
        Enter sends; Shift+Enter starts a new line; @ mentions someone.
      </span>
      <span id="composer-hint" class={`count ${text.length > max ? "over" : ""}`}>
        {text.length > max * SHOW_COUNT_FROM ? `${text.length}/${max}` : ""}
      </span>
    </form>
  );
}

/** A new message, a reply, or the edit of one of mine: what the composer sends. */
function useSubmit(id: string, text: string, setText: (text: string) => void, muted: boolean) {
  const doing = draft.value?.group === id ? draft.value : null;
  const editing = doing?.mode === "edit" ? doing.message : null;
  useEffect(() => {
    if (editing) setText(editing.text);
  }, [editing, setText]);
  const submit = () => {
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.length > app.value.limits.maxTextLength || muted) return;
    if (editing) {
      const onFailed = (failure: string) => {
        actionNotice.value = { group: id, text: failure };
      };
      client.act({ type: "edit", group: id, id: editing.id, text: trimmed }, onFailed);
    } else {
      const roster = rosters.value[id] ?? [];
      const replyTo = doing?.mode === "reply" ? doing.message.id : undefined;
      client.send(id, trimmed, mentionsIn(trimmed, roster, app.value.me?.id), replyTo);
    }
    draft.value = null;
    setText("");
  };
  return { editing, submit };
}

/** While an "@name" is being typed: the members it may mean, arrows to choose, Tab or Enter to pick. */
function useMentionPicker(
  text: string,
  setText: (text: string) => void,
  roster: readonly RosterMember[],
  me: string | undefined,
) {
  const [caret, setCaret] = useState(0);
  const [chosen, setChosen] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const query = /@([^\s@]*)$/.exec(text.slice(0, caret))?.[1];
  const matches =
    query === undefined
      ? []
      : roster
          .filter((m) => m.id !== me && m.displayName.toLowerCase().startsWith(query.toLowerCase()))
          .slice(0, 5);
  const pick = (member: RosterMember) => {
    const start = caret - (query?.length ?? 0) - 1;
    const at = start + member.displayName.length + 2;
    setText(`${text.slice(0, start)}@${member.displayName} ${text.slice(caret)}`);
    setCaret(at);
    setChosen(0);
    requestAnimationFrame(() => box.current?.setSelectionRange(at, at));
  };
  const key = (e: KeyboardEvent): boolean => {
    if (matches.length === 0 || e.isComposing) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      setChosen((c) => c + (e.key === "ArrowDown" ? 1 : matches.length - 1));
    } else if (e.key === "Enter" || e.key === "Tab") {
      pick(matches[chosen % matches.length] as RosterMember);
    } else return false;
    e.preventDefault();
    return true;
  };
  const moved = (el: HTMLTextAreaElement) => setCaret(el.selectionStart ?? el.value.length);
  return { box, matches, chosen, pick, key, moved };
}

function MentionChoices(props: {
  matches: RosterMember[];
  chosen: number;
  pick: (member: RosterMember) => void;
}) {
  const { matches, chosen, pick } = props;
  if (matches.length === 0) return null;
  return (
    <fieldset class="mention-list" aria-label="Mention someone (Tab picks)">
      {matches.map((member, i) => (
        <button
          type="button"
          key={member.id}
          tabIndex={-1}
          class={i === chosen % matches.length ? "mention-pick chosen" : "mention-pick"}
          onMouseDown={(e) => {
            e.preventDefault();
            pick(member);
          }}
        >
          @<bdi>{member.displayName}</bdi>
        </button>
      ))}
    </fieldset>
  );
}

/** What the composer is doing besides a new message, and the last refused action; × cancels. */
function DraftBar({ group, clear }: { group: string; clear: () => void }) {
  const doing = draft.value?.group === group ? draft.value : null;
  const notice = actionNotice.value?.group === group ? actionNotice.value.text : null;
  if (doing === null && notice === null) return null;
  const cancel = () => {
    if (doing?.mode === "edit") clear();
    draft.value = null;
    actionNotice.value = null;
  };
  return (
    <div class="draft-bar" role={notice ? "alert" : undefined}>
      {notice ?? (
        <span>
          {doing?.mode === "edit" ? "Editing your message" : "Replying to "}
          {doing?.mode === "reply" && (
            <>
              <bdi>{doing.message.displayName}</bdi>:{" "}
              <q dir="auto">{excerpt(doing.message.text, 40)}</q>
            </>
          )}
        </span>
      )}
      <button type="button" class="small link" aria-label="Cancel" onClick={cancel}>
        ×
      </button>
    </div>
  );
}
