// The tab's side of the rooms over one Socket (socket.ts): which rooms to be in, sends and their
// replies, typing and idle. The rules are pure modules (idle.ts, typing-throttle.ts, the state
// reducers); this class wires them to the socket and the page.
import type { ErrorFrame, ServerFrame } from "@clofri/protocol";
import { roomOf } from "../state/app-state.ts";
import { activityOf, markedRead } from "../state/awareness.ts";
import { reduceFrame } from "../state/frames.ts";
import {
  joinRefused,
  leaveRoom as leaveRoomState,
  queueSend,
  retrySend,
  sendAcked,
  sendFailed,
  sendsToFlush,
  socketClosed,
  wantRoom,
} from "../state/sends.ts";
import { app, update } from "../state/store.ts";
import { freshIdle, heartbeatFor, heartbeatSent, inputNoted, isShownIdle } from "./idle.ts";
import { notifyFrame } from "./notify.ts";
import type { PushFrame, PushReply } from "./push.ts";
import { Socket, type SocketOptions } from "./socket.ts";
import {
  NOT_TYPING,
  onInput,
  onStop,
  type TypingSignal,
  type TypingState,
} from "./typing-throttle.ts";
import { sendErrorText } from "./wording.ts";

const ACK_TIMEOUT_MS = 10_000;
/** A refused join is tried again after the server's `retryAfterMs`, or this long. */
const JOIN_RETRY_MS = 1_000;
/** A room that stopped under us gets a moment to start anew before we rejoin. */
const ROOM_RESTART_WAIT_MS = 500;
/** At most one `read` per room per this (the server coalesces the room's `read_up_to` too). */
const READ_EVERY_MS = 1_000;
const INPUT_EVENTS = ["keydown", "pointerdown", "wheel", "touchstart"] as const;

export class SocketClient {
  readonly #socket: Socket;
  readonly #typing = new Map<string, TypingState>();
  /** Rooms whose `read` waits for its second, and when each last went out. */
  readonly #readsDue = new Set<string>();
  readonly #readSentAt = new Map<string, number>();
  /** The mentions and quoted message of each send still on its way, by key, for a retry. */
  readonly #extras = new Map<string, { mentions?: string[]; replyTo?: string }>();
  #idle = freshIdle(Date.now());
  #listening = false;

  constructor(options: SocketOptions) {
    this.#socket = new Socket(options, {
      onFrame: (frame) => this.#onFrame(frame),
      onClose: () => {
        this.#typing.clear();
        this.#readsDue.clear(); // their timers die with the socket
        update(socketClosed);
      },
      onHeartbeat: () => this.#heartbeat(),
    });
  }

  start(): void {
    this.#listen();
    this.#socket.connect();
  }

  /** Closes for good: no reconnect. "signed_out" when the session is over. */
  stop(phase: "stopped" | "signed_out" = "stopped"): void {
    this.#socket.stop(phase);
  }

  /** Enter a room (or stay in it) and hear it; rejoined after every reconnect. */
  openRoom(group: string): void {
    const room = app.value.rooms[group];
    update((state) => wantRoom(state, group));
    if (!room?.joined) this.#join(group);
  }

  leaveRoom(group: string): void {
    this.typingStopped(group);
    if (roomOf(app.value, group).joined) this.#socket.transmit({ type: "leave", group });
    update((state) => leaveRoomState(state, group));
  }

  send(group: string, text: string, mentions: string[] = [], replyTo?: string): void {
    const key = crypto.randomUUID();
    if (mentions.length > 0 || replyTo) {
      this.#extras.set(key, {
        ...(mentions.length > 0 && { mentions }),
        ...(replyTo && { replyTo }),
      });
    }
    this.typingStopped(group);
    update((state) => queueSend(state, group, key, text, Date.now()));
    this.#noteInput();
    if (roomOf(app.value, group).joined) this.#transmitSend(group, key, text);
  }

  /**
   * What is on screen is seen: my mark moves to the newest message (never back) here at once,
   * and to the server at most once a second per room (the latest mark then).
   */
  markRead(group: string): void {
    const state = app.value;
    const room = roomOf(state, group);
    const me = state.me?.id;
    if (!room.joined || me === undefined) return;
    const isBehind = room.lastSeq > (room.marks[me] ?? 0);
    if (!isBehind && activityOf(state, group).unread === 0) return;
    update((s) => markedRead(s, group, room.lastSeq));
    if (!isBehind || this.#readsDue.has(group)) return;
    this.#readsDue.add(group);
    const waitMs = (this.#readSentAt.get(group) ?? 0) + READ_EVERY_MS - Date.now();
    this.#socket.later(Math.max(0, waitMs), () => {
      this.#readsDue.delete(group);
      const now = roomOf(app.value, group);
      const seq = now.marks[me];
      if (!now.joined || seq === undefined) return;
      this.#readSentAt.set(group, Date.now());
      this.#socket.transmit({ type: "read", group, seq });
    });
  }

  /** Unsend, edit or react; `onFailed` gets the words for a refusal or for no answer. */
  act(
    frame: Extract<PushFrame, { type: "unsend" | "edit" | "react" }>,
    onFailed: (text: string) => void,
  ): void {
    this.#noteInput();
    this.#socket.push(frame, {
      timeoutMs: ACK_TIMEOUT_MS,
      onReply: (reply) => {
        if (reply.status === "timeout") onFailed("No answer from the server.");
        else if (reply.status === "error") onFailed(sendErrorText(reply.frame));
      },
    });
  }

  retry(group: string, key: string): void {
    const send = roomOf(app.value, group).pending.find((p) => p.key === key);
    if (!send) return;
    update((state) => retrySend(state, group, key));
    if (roomOf(app.value, group).joined) this.#transmitSend(group, key, send.text);
    else this.#join(group);
  }

  typed(group: string, text: string): void {
    this.#noteInput();
    this.#typingSignal(group, (state) => onInput(state, text, Date.now()));
  }

  typingStopped(group: string): void {
    this.#typingSignal(group, onStop);
  }

  #onFrame(frame: ServerFrame): void {
    const before = app.value;
    update((state) => reduceFrame(state, frame, Date.now()));
    notifyFrame(before, frame);
    switch (frame.type) {
      case "hello":
        for (const [group, room] of Object.entries(app.value.rooms)) {
          if (room.wanted) this.#join(group);
        }
        break;
      case "group_state":
        this.#flush(frame.group);
        break;
      case "error":
        if (frame.ref === undefined && frame.code === "room_unavailable") this.#rejoinSoon();
        break;
      case "user_left":
        // Taken out of a room we still want (e.g. it restarted): go back in.
        if (frame.userId === app.value.me?.id && roomOf(app.value, frame.group).wanted) {
          this.#join(frame.group);
        }
        break;
    }
  }

  /** The reducer marked the rooms that stopped as left; give them a moment to start anew. */
  #rejoinSoon(): void {
    for (const [group, room] of Object.entries(app.value.rooms)) {
      if (room.wanted && !room.joined)
        this.#socket.later(ROOM_RESTART_WAIT_MS, () => this.#join(group));
    }
  }

  #join(group: string): void {
    const room = roomOf(app.value, group);
    const resume = room.epoch === null ? {} : { epoch: room.epoch, afterSeq: room.lastSeq };
    this.#socket.push(
      { type: "join", group, ...resume },
      {
        onReply: (reply) => {
          if (reply.status === "error") this.#joinFailed(group, reply.frame);
        },
      },
    );
  }

  #joinFailed(group: string, frame: ErrorFrame): void {
    if (frame.code === "rate_limited" || frame.code === "room_unavailable") {
      this.#socket.later(frame.retryAfterMs ?? JOIN_RETRY_MS, () => this.#join(group));
    } else {
      update((state) => joinRefused(state, group, sendErrorText(frame)));
    }
  }

  #flush(group: string): void {
    for (const send of sendsToFlush(app.value, group)) {
      const isOut = this.#socket.isWaiting((f) => f.type === "send" && f.key === send.key);
      if (!isOut) this.#transmitSend(group, send.key, send.text);
    }
  }

  #transmitSend(group: string, key: string, text: string): void {
    this.#socket.push(
      { type: "send", group, text, key, ...this.#extras.get(key) },
      { timeoutMs: ACK_TIMEOUT_MS, onReply: (reply) => this.#sendReplied(group, key, reply) },
    );
  }

  #sendReplied(group: string, key: string, reply: PushReply): void {
    if (reply.status === "timeout") {
      update((state) => sendFailed(state, group, key, "No answer from the server."));
    } else if (reply.status === "error") {
      update((state) => sendFailed(state, group, key, sendErrorText(reply.frame)));
      if (reply.frame.code === "not_joined") this.#join(group);
    } else if (reply.frame.type === "ack" && reply.frame.id !== undefined) {
      const { id } = reply.frame;
      this.#extras.delete(key);
      update((state) => sendAcked(state, group, key, id));
    }
  }

  #typingSignal(group: string, step: (state: TypingState) => [TypingState, TypingSignal]): void {
    const [next, signal] = step(this.#typing.get(group) ?? NOT_TYPING);
    this.#typing.set(group, next);
    const isMuted = app.value.groups.find((g) => g.id === group)?.muted === true;
    if (signal && roomOf(app.value, group).joined && !isMuted) {
      this.#socket.transmit({ type: signal, group });
    }
  }

  // --- idle: heartbeats and input ----------------------------------------------------------

  #heartbeat(isHidden = document.visibilityState === "hidden"): void {
    const frame = heartbeatFor(this.#idle, isHidden, Date.now());
    if (this.#socket.transmit(frame)) this.#idle = heartbeatSent(this.#idle, frame);
  }

  #noteInput(): void {
    const page = {
      isVisible: document.visibilityState === "visible",
      isShownIdle: isShownIdle(app.value),
    };
    const [idle, wakes] = inputNoted(this.#idle, Date.now(), page);
    this.#idle = idle;
    if (wakes) this.#heartbeat();
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    window.addEventListener("online", () => this.#socket.nudge());
    const attention = () => {
      const isFocused = typeof document.hasFocus !== "function" || document.hasFocus();
      const attentive = document.visibilityState === "visible" && isFocused;
      if (attentive !== app.value.attentive) update((s) => ({ ...s, attentive }));
    };
    for (const type of ["focus", "blur", "visibilitychange"]) {
      window.addEventListener(type, attention);
    }
    attention();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        this.#noteInput();
        this.#socket.nudge();
      } else {
        this.#heartbeat(true);
      }
    });
    for (const type of INPUT_EVENTS) {
      window.addEventListener(type, () => this.#noteInput(), { passive: true, capture: true });
    }
  }
}
