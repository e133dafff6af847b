import type { TimerRef } from "@clofri/actors";
import { LIMITS, type Message } from "@clofri/protocol";
import { ActivityBatch, newestShown, previewOf } from "./room-activity.ts";
import type { RoomMemory } from "./room-memory.ts";
import type { RoomPort, UserDelivery } from "./room-port.ts";
import type { RoomTimers } from "./room-timers.ts";

/**
 * Read marks and activity of one room incarnation: `read_up_to` to the room at most once per
 * member per interval (the latest mark wins), and `group_activity` to the group's members who
 * are not in the room at most once per interval for the whole group (a mention at once), each
 * frame serialized once per person and fanned out by the port on their user topic.
 */
export class RoomAwareness {
  readonly #groupId: string;
  readonly #memory: RoomMemory;
  readonly #port: RoomPort;
  readonly #timers: RoomTimers;
  readonly #intervalMs: number;
  #lastActivityMs = Number.NEGATIVE_INFINITY;
  #activityTimer: TimerRef | undefined;
  /** userId → when their mark was last announced. */
  readonly #lastReadMs = new Map<string, number>();
  readonly #readTimers = new Map<string, TimerRef>();

  constructor(
    groupId: string,
    memory: RoomMemory,
    port: RoomPort,
    timers: RoomTimers,
    intervalMs: number = LIMITS.awarenessIntervalMs,
  ) {
    this.#groupId = groupId;
    this.#memory = memory;
    this.#port = port;
    this.#timers = timers;
    this.#intervalMs = intervalMs;
  }

  /** A message went out: the members elsewhere hear of it, a mentioned one at once. */
  messageSent(message: Message): void {
    if (this.changed()) return;
    const absent = message.mentions.filter(
      (userId) => userId !== message.userId && !this.#memory.members.has(userId),
    );
    if (absent.length === 0) return;
    const frames = this.#frames();
    this.#port.publishToUsers(absent.map(frames));
  }

  /**
   * The buffer changed (a message sent, unsent or edited): members elsewhere hear of it, now or
   * at the next interval; true when it went out now.
   */
  changed(): boolean {
    if (this.#activityTimer === undefined && this.#hasAbsentMembers()) {
      const nowMs = this.#timers.nowMs();
      const interval = this.#intervalMs;
      if (nowMs - this.#lastActivityMs >= interval) {
        this.activityDue();
        return true;
      }
      // On the clock's whole intervals: every busy room of the gateway sends in the same turn,
      // so the port can hand each person their frames of several groups in one write.
      const dueMs = Math.ceil((this.#lastActivityMs + interval) / interval) * interval;
      this.#activityTimer = this.#timers.after(dueMs - nowMs, { type: "activity_due" });
    }
    return false;
  }

  /** Every member not in the room hears what they have not seen, in one frame each. */
  activityDue(): void {
    this.#activityTimer = undefined;
    this.#lastActivityMs = this.#timers.nowMs();
    const memory = this.#memory;
    const frames = this.#frames();
    const deliveries: UserDelivery[] = [];
    for (const userId of memory.groupMembers) {
      if (!memory.members.has(userId)) deliveries.push(frames(userId));
    }
    // Coalesced news may wait for a ride on the person's next write; a mention (above) may not.
    if (deliveries.length > 0) this.#port.publishToUsers(deliveries, true);
  }

  /** The member's mark moved: the room hears it now, or once the interval since the last is up. */
  markMoved(userId: string): void {
    if (this.#readTimers.has(userId)) return;
    const last = this.#lastReadMs.get(userId) ?? Number.NEGATIVE_INFINITY;
    const waitMs = last + this.#intervalMs - this.#timers.nowMs();
    if (waitMs <= 0) this.readDue(userId);
    else this.#readTimers.set(userId, this.#timers.after(waitMs, { type: "read_due", userId }));
  }

  readDue(userId: string): void {
    this.#readTimers.delete(userId);
    const seq = this.#memory.readMarks.get(userId);
    if (seq === undefined) return;
    this.#lastReadMs.set(userId, this.#timers.nowMs());
    const group = JSON.stringify(this.#groupId);
    const text = `{"type":"read_up_to","group":${group},"userId":${JSON.stringify(userId)},"seq":${seq}}`;
    this.#port.publishRoom(this.#groupId, text);
  }

  #hasAbsentMembers(): boolean {
    return this.#memory.groupMembers.size > this.#memory.members.size;
  }

  /**
   * `encode({ type: "group_activity", … })` for each member, field for field: what all share is
   * serialized once, each member adds two numbers.
   */
  #frames(): (userId: string) => UserDelivery {
    const memory = this.#memory;
    const newest = newestShown(memory);
    const batch = new ActivityBatch(memory);
    const head = `{"type":"group_activity","group":${JSON.stringify(this.#groupId)},"seq":${memory.lastSeq},"unread":`;
    const tail = `,"lastActivityAt":${newest?.ts ?? null},"preview":${newest === undefined ? null : JSON.stringify(previewOf(newest))}}`;
    // Members who have not read alike get the same text: built and flattened once.
    const texts = new Map<number, string>();
    return (userId) => {
      const { unread, mentioned } = batch.unreadOf(userId);
      const key = mentioned ? -1 - unread : unread;
      let text = texts.get(key);
      if (text === undefined) {
        text = `${head}${unread},"mentioned":${mentioned}${tail}`;
        texts.set(key, text);
      }
      return { userId, text };
    };
  }
}
