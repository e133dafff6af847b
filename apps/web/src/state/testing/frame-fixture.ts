// One person (Alex, "me") with two friends and a group, for the reducer tests.
import type { HelloFrame, Message, ServerFrame } from "@clofri/protocol";
import { type AppState, INITIAL_STATE } from "../app-state.ts";
import { reduceFrame } from "../frames.ts";

type HelloGroup = HelloFrame["groups"][number];

export const ME = "00000000-0000-4000-8000-00000000000a";
export const SAM = "00000000-0000-4000-8000-00000000000b";
export const KIM = "00000000-0000-4000-8000-00000000000c";
export const G = "00000000-0000-4000-8000-0000000000f1";
export const NOW = 1_763_800_000_000;
export const retention = { maxMessages: 50, maxAgeMs: 86_400_000 };

/** The group "Couch" as hello lists it, nothing unread: a member's view unless told otherwise. */
export function groupSummary(fields: Partial<HelloGroup> = {}): HelloGroup {
  return {
    id: G,
    name: "Couch",
    kind: "group",
    role: "member",
    muted: false,
    present: [],
    unread: 0,
    mentioned: false,
    lastActivityAt: null,
    preview: null,
    ...fields,
  };
}

export const hello: HelloFrame = {
  type: "hello",
  user: { id: ME, displayName: "Alex", avatarUrl: null },
  friends: [
    { id: SAM, displayName: "Sam", avatarUrl: null, online: true, lastSeen: NOW },
    { id: KIM, displayName: "Kim", avatarUrl: null, online: false, lastSeen: NOW - 3_600_000 },
  ],
  groups: [groupSummary({ role: "creator", present: [SAM] })],
  heartbeatMs: 15_000,
  limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
  serverTime: NOW,
};

export function msg(seq: number, userId = SAM, key = `k${seq}`): Message {
  return {
    id: `m${seq}`,
    group: G,
    seq,
    userId,
    displayName: userId === ME ? "Alex" : "Sam",
    text: `hi ${seq}`,
    ts: NOW + seq,
    key,
    mentions: [],
    reactions: {},
  };
}

export function apply(state: AppState, ...frames: ServerFrame[]): AppState {
  return frames.reduce((s, f) => reduceFrame(s, f, NOW), state);
}

export function joined(messages: Message[] = [], epoch = "e1"): AppState {
  return apply(INITIAL_STATE, hello, {
    type: "group_state",
    group: G,
    epoch,
    members: [
      {
        userId: ME,
        displayName: "Alex",
        avatarUrl: null,
        status: "active",
        typing: false,
        readSeq: null,
      },
      {
        userId: SAM,
        displayName: "Sam",
        avatarUrl: null,
        status: "idle",
        typing: true,
        readSeq: null,
      },
    ],
    messages,
    expired: 0,
    retention,
  });
}
