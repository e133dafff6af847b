import type { HelloFrame } from "@clofri/protocol";
import type { Activity } from "../chat/room-activity.ts";
import type { Config } from "../config.ts";
import type { PresenceReader } from "../social/presence.ts";
import type { UserState } from "./users/user-state.ts";

/** The first frame on every socket: everything the home screen needs. */
export function helloFrame(
  state: UserState,
  presence: PresenceReader,
  config: Config,
  nowMs: number,
  activityOf: (groupId: string) => Activity,
): HelloFrame {
  return {
    type: "hello",
    user: { ...state.user, presenceMode: state.presenceMode },
    friends: state.friends.map(({ summary, storedLastSeenMs }) => ({
      ...summary,
      online: presence.isOnline(summary.id),
      status: presence.statusOf(summary.id),
      lastSeen: presence.lastSeen(summary.id) ?? storedLastSeenMs,
    })),
    groups: Array.from(state.groups.values(), (group) => ({
      ...group,
      present: presence.presentIn(group.id),
      ...activityOf(group.id),
    })),
    heartbeatMs: config.timing.heartbeatMs,
    limits: {
      maxTextLength: config.limits.maxTextLength,
      maxMessages: config.retention.maxMessages,
      maxAgeMs: config.retention.maxAgeMs,
      messagesPerMinute: config.limits.messagesPerMinute,
    },
    serverTime: nowMs,
  };
}
