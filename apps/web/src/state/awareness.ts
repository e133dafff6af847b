// Awareness: what I have not seen in each group (unread, mentioned, latest activity, preview),
// everyone's read marks in the rooms I am in, and what my own messages have reached. Pure.
import type {
  GroupActivityFrame,
  HelloFrame,
  Message,
  Preview,
  ReadUpToFrame,
} from "@clofri/protocol";
import { type AppState, type GroupActivity, roomOf, withRoom } from "./app-state.ts";

const QUIET: GroupActivity = { unread: 0, mentioned: false, lastActivityAt: null, preview: null };
const PREVIEW_LENGTH = 80;

export function activityOf(state: AppState, group: string): GroupActivity {
  return state.activity[group] ?? QUIET;
}

export function helloActivity(frame: HelloFrame): Record<string, GroupActivity> {
  return Object.fromEntries(
    frame.groups.map((g) => [
      g.id,
      {
        unread: g.unread,
        mentioned: g.mentioned,
        lastActivityAt: g.lastActivityAt,
        preview: g.preview,
      },
    ]),
  );
}

export function groupActivity(state: AppState, frame: GroupActivityFrame): AppState {
  const { unread, mentioned, lastActivityAt, preview } = frame;
  // This tab is in the room: its own messages say more, and more recently.
  if (roomOf(state, frame.group).joined) return state;
  return setActivity(state, frame.group, { unread, mentioned, lastActivityAt, preview });
}

/** A message in a room this tab is in: the home line and, unless I am reading, my count. */
export function messageActivity(state: AppState, message: Message, isRead: boolean): AppState {
  const me = state.me?.id;
  const isMine = message.userId === me;
  const before = activityOf(state, message.group);
  const counts = !isMine && !isRead;
  const next = setActivity(state, message.group, {
    unread: counts ? before.unread + 1 : isMine ? 0 : before.unread,
    mentioned: isMine ? false : before.mentioned || (counts && message.mentions.includes(me ?? "")),
    lastActivityAt: message.ts,
    preview: previewOf(message),
  });
  return withMark(next, message.group, message.userId, message.seq);
}

/** I have seen the room up to `seq`: nothing unread there any more. */
export function markedRead(state: AppState, group: string, seq: number): AppState {
  const me = state.me?.id;
  if (me === undefined) return state;
  const next = setActivity(state, group, {
    ...activityOf(state, group),
    unread: 0,
    mentioned: false,
  });
  return withMark(next, group, me, seq);
}

export function readUpTo(state: AppState, frame: ReadUpToFrame): AppState {
  return withMark(state, frame.group, frame.userId, frame.seq);
}

/** Marks only move forward: a frame that crossed a newer one changes nothing. */
function withMark(state: AppState, group: string, userId: string, seq: number): AppState {
  const room = state.rooms[group];
  if (!room || (room.marks[userId] ?? 0) >= seq) return state;
  return withRoom(state, group, (r) => ({ ...r, marks: { ...r.marks, [userId]: seq } }));
}

function setActivity(state: AppState, group: string, activity: GroupActivity): AppState {
  return { ...state, activity: { ...state.activity, [group]: activity } };
}

function previewOf(message: Message): Preview {
  const text = message.text.replace(/\s+/g, " ");
  return {
    userId: message.userId,
    displayName: message.displayName,
    text: text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text,
  };
}

/** "9+" past nine. */
export function unreadLabel(count: number): string {
  return count > 9 ? "9+" : String(count);
}

/** Unread messages in all my groups: the page title's number. */
export function unreadTotal(state: AppState): number {
  let total = 0;
  for (const group of state.groups) total += activityOf(state, group.id).unread;
  return total;
}

/** Newest activity first; groups without any keep their order, after those with. */
export function byActivity<T extends { id: string }>(state: AppState, groups: readonly T[]): T[] {
  const at = (g: T) => activityOf(state, g.id).lastActivityAt ?? Number.NEGATIVE_INFINITY;
  return [...groups].sort((a, b) => at(b) - at(a));
}

/** Who else has seen up to `seq`, by user id. */
export function seenBy(state: AppState, group: string, seq: number): string[] {
  const marks = roomOf(state, group).marks;
  return Object.keys(marks).filter(
    (userId) => userId !== state.me?.id && (marks[userId] ?? 0) >= seq,
  );
}

export type Delivery = "sent" | "delivered" | "seen";

/** My message: seen once someone else's mark reached it, delivered if someone else was here. */
export function deliveryOf(state: AppState, group: string, message: Message): Delivery {
  if (seenBy(state, group, message.seq).length > 0) return "seen";
  return roomOf(state, group).delivered.includes(message.id) ? "delivered" : "sent";
}
