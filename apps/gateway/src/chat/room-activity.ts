import { LIMITS, type Message, type Preview } from "@clofri/protocol";
import type { RoomMemory } from "./room-memory.ts";

/** What a member has not seen in the room (`hello.groups[]`, `group_activity`). */
export interface Activity {
  unread: number;
  mentioned: boolean;
  lastActivityAt: number | null;
  preview: Preview | null;
}

export const NO_ACTIVITY: Readonly<Activity> = Object.freeze({
  unread: 0,
  mentioned: false,
  lastActivityAt: null,
  preview: null,
});

/**
 * What `userId` has not seen: the retained messages after their mark that are not theirs, none
 * older than `sinceMs` (a reader outside the room's turn cannot prune, so it skips them).
 */
export function activityFor(
  memory: RoomMemory,
  userId: string,
  sinceMs = Number.NEGATIVE_INFINITY,
): Activity {
  const newest = newestShown(memory);
  if (newest === undefined || newest.ts < sinceMs) return NO_ACTIVITY;
  let unread = 0;
  let mentioned = false;
  const { changes } = memory;
  for (const message of memory.messages.since(memory.readMarks.get(userId) ?? 0)) {
    if (message.userId === userId || message.ts < sinceMs || changes.isRemoved(message)) continue;
    unread++;
    if (!mentioned && message.mentions.includes(userId)) mentioned = true;
  }
  return { unread, mentioned, lastActivityAt: newest.ts, preview: previewOf(newest) };
}

/** The newest message that was not unsent. */
export function newestShown(memory: RoomMemory): Message | undefined {
  const newest = memory.messages.newest;
  if (newest === undefined || !memory.changes.isRemoved(newest)) return newest;
  return memory.changes.visible(memory.messages.toArray()).at(-1);
}

/** The newest message in one line: its text on one line, cut to 80 characters. */
export function previewOf(message: Message): Preview {
  const { userId, displayName } = message;
  const text = message.text.replace(/\s+/g, " ");
  const max = LIMITS.maxPreviewLength;
  return { userId, displayName, text: text.length > max ? `${text.slice(0, max - 1)}…` : text };
}

/**
 * Everyone's activity at one moment, for a `group_activity` batch: the buffer is read once, then
 * each member costs O(1) — retained seqs are consecutive, so what follows a mark is a
 * subtraction; only someone with a message of their own still retained is counted one by one.
 */
export class ActivityBatch {
  readonly #memory: RoomMemory;
  /** userId → the newest seq of a message by someone else that mentions them. */
  readonly #mentionedAt = new Map<string, number>();

  constructor(memory: RoomMemory) {
    this.#memory = memory;
    for (const message of memory.messages.since(0)) {
      for (const userId of message.mentions) {
        if (userId !== message.userId) this.#mentionedAt.set(userId, message.seq);
      }
    }
  }

  unreadOf(userId: string): { unread: number; mentioned: boolean } {
    const memory = this.#memory;
    const { newest, oldest } = memory.messages;
    if (newest === undefined || oldest === undefined) return { unread: 0, mentioned: false };
    const mark = memory.readMarks.get(userId) ?? 0;
    const mentioned = (this.#mentionedAt.get(userId) ?? 0) > mark;
    // Unsent messages break the arithmetic: count one by one.
    if (memory.hasMessagesBy(userId) || memory.changes.hasRemoved)
      return { unread: activityFor(memory, userId).unread, mentioned };
    return { unread: Math.max(0, newest.seq - Math.max(mark, oldest.seq - 1)), mentioned };
  }
}
