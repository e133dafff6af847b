import type { Message } from "@clofri/protocol";

/**
 * A room's memory as plain data, for handing the room to another gateway (cluster mode): the
 * same epoch, seq, buffer and keys on the other side, so clients resume with nothing lost.
 * Times on the actor's clock travel as what is left of them: two processes' clocks differ.
 */
export interface RoomSnapshot {
  groupId: string;
  epoch: string;
  /** The uuid message ids count up from. */
  idSeed: string;
  lastSeq: number;
  /** Oldest first; their keys are the idempotency keys still answered. */
  messages: Message[];
  members: MemberSnapshot[];
  /** Every member of the group (absent from a gateway that predates awareness). */
  groupMembers?: string[];
  /** Read marks: [userId, seq]. */
  readMarks?: Array<[userId: string, seq: number]>;
  /** Message actions: ids of messages unsent (still holding their slot, emptied) and touched. */
  changes?: { removed: string[]; touched: string[] };
}

export interface MemberSnapshot {
  userId: string;
  displayName: string;
  avatarUrl: string | null;
  isMuted: boolean;
  isIdle: boolean;
  /** Joined connections, each with whether it is idle. */
  connections: Array<[connId: string, isIdle: boolean]>;
  /** Set while the person is kept present after an unclean drop. */
  graceLeftMs: number | undefined;
  /** Appears offline (absent from a snapshot of a gateway that predates it: visible). */
  isHidden?: boolean;
}
