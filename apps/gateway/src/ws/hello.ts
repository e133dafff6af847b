import type { HelloFrame } from "@clofri/protocol";
import type { Config } from "../config.ts";
import type { PresenceReader } from "../social/presence.ts";
import type { UserState } from "./user-directory.ts";

/** The first frame on every socket: everything the home screen needs. */
export function helloFrame(
  state: UserState,
  presence: PresenceReader,
  config: Config,
  nowMs: number,
): HelloFrame {
  return {
    type: "hello",
    user: state.user,
    friends: state.friends.map(({ summary, storedLastSeenMs }) => ({
      ...summary,
      online: presence.isOnline(summary.id),
      lastSeen: presence.lastSeen(summary.id) ?? storedLastSeenMs,
    })),
    groups: Array.from(state.groups.values(), (group) => ({
      ...group,
      present: presence.presentIn(group.id),
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
