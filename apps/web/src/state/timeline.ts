// The group view's list: messages and system lines in time order, each message with how it
// will go (50-message cap or 24 h) and how faded it is.
import type { Message } from "@clofri/protocol";
import type { PendingSend, RoomState, SystemLine } from "./app-state.ts";
import { ageFraction, messagePace, type Removal, removalFor } from "./retention.ts";

export type TimelineItem =
  | { kind: "message"; message: Message; removal: Removal; fade: number }
  | { kind: "system"; line: SystemLine }
  | { kind: "pending"; send: PendingSend };

/** `fade` is a bucket 0–4: 0 fresh, 4 about to go. */
export function timeline(room: RoomState, nowMs: number, clockOffsetMs: number): TimelineItem[] {
  const serverNow = nowMs + clockOffsetMs;
  const { messages, retention } = room;
  const pace = messagePace(
    messages.map((m) => m.ts),
    serverNow,
  );
  const items: TimelineItem[] = [];
  const system = [...room.system];
  messages.forEach((message, position) => {
    while (system[0] && system[0].ts + clockOffsetMs <= message.ts) {
      items.push({ kind: "system", line: system.shift() as SystemLine });
    }
    const removal = removalFor(message.ts, position, messages.length, retention, serverNow, pace);
    const capFraction =
      retention.maxMessages > 0 ? (messages.length - 1 - position) / retention.maxMessages : 0;
    const closeness = Math.max(ageFraction(message.ts, retention, serverNow), capFraction);
    items.push({ kind: "message", message, removal, fade: Math.min(4, Math.floor(closeness * 5)) });
  });
  for (const line of system) items.push({ kind: "system", line });
  for (const send of room.pending) items.push({ kind: "pending", send });
  return items;
}
