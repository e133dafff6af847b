import type { GroupSummary } from "@clofri/protocol";
import { useEffect, useRef } from "preact/hooks";
import { navigate } from "../router.ts";
import { client } from "../session.ts";
import { roomOf } from "../state/app-state.ts";
import { presentIn, typingNames } from "../state/selectors.ts";
import { dismissBanners, viewGroup } from "../state/sends.ts";
import { app, update } from "../state/store.ts";
import { ageLimit, typingLine } from "../state/wording.ts";
import { Avatar } from "../ui/avatar.tsx";
import { Sentence } from "../ui/sentence.tsx";
import { Composer } from "./composer.tsx";
import { Messages } from "./messages.tsx";
import { NotifyChoice } from "./notify-settings.tsx";
import { useRoster } from "./roster.ts";

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

  useRoster(id);
  // What is on screen while the tab is visible and focused is seen: my mark follows.
  const room = roomOf(state, id);
  useEffect(() => {
    if (state.attentive && room.joined) client.markRead(id);
  }, [id, room.lastSeq, room.joined, state.attentive]);

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

  const { retention } = room;
  return (
    <div class="page group-page">
      <GroupHead group={group} />
      <p class="retention-note">
        Only the last {retention.maxMessages} messages from the past {ageLimit(retention.maxAgeMs)}{" "}
        exist. Nothing is saved; older messages fade and disappear.
      </p>
      <Banners id={id} />
      <Messages id={id} />
      <p class="typing" aria-live="polite">
        <Sentence phrase={typingLine(typingNames(state, id))} />
      </p>
      <Composer id={id} muted={group.muted} />
    </div>
  );
}

function GroupHead({ group }: { group: GroupSummary }) {
  const people = presentIn(app.value, group);
  return (
    <header class="group-head">
      <div class="group-title">
        <h1>
          <bdi>{group.name}</bdi>
        </h1>
        <ul class="present" aria-label="In the room now">
          {people.map((p) => (
            <li key={p.userId} class={`chip chip-${p.status}`}>
              <Avatar name={p.name} url={p.avatarUrl} presence={p.status} />
              <bdi>{p.displayName}</bdi>
              <span class="visually-hidden">, {p.status}</span>
            </li>
          ))}
        </ul>
      </div>
      <div class="group-actions">
        <NotifyChoice group={group.id} />
        <a class="button secondary" href={`/g/${group.id}/settings`}>
          Settings
        </a>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            client.leaveRoom(group.id);
            navigate("/");
          }}
        >
          Step out
        </button>
      </div>
    </header>
  );
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
