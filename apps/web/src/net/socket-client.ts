// One WebSocket per tab to /ws: hello, heartbeats with idle, rooms, sends with refs, and
// reconnecting with back-off. Decisions live in pure modules (reconnect.ts, typing-throttle.ts,
// the state reducers); this file only wires them to the browser.
import type { ErrorFrame, ServerFrame } from "@clofri/protocol";
import { roomOf } from "../state/app-state.ts";
import { reduceFrame } from "../state/frames.ts";
import {
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
import { connection } from "./connection-signal.ts";
import { type ConnectionEvent, nextConnection } from "./reconnect.ts";
import {
  NOT_TYPING,
  onInput,
  onStop,
  type TypingSignal,
  type TypingState,
} from "./typing-throttle.ts";
import { sendErrorText } from "./wording.ts";

type RefEntry =
  | { kind: "send"; group: string; key: string; timer: ReturnType<typeof setTimeout> }
  | { kind: "join"; group: string }
  | { kind: "other" };

const ACK_TIMEOUT_MS = 10_000;
/** Input within this long counts as "here" for the next heartbeat. */
const INPUT_FRESH_MS = 60_000;

export interface SocketClientOptions {
  /** The session is gone: the app goes to sign in. */
  onSignedOut: () => void;
  /** The server greeted us: the session works. */
  onHello?: () => void;
  /** Asked after a socket failed before hello: is the session still valid? */
  checkSession: () => Promise<"valid" | "invalid" | "unknown">;
}

export class SocketClient {
  #ws: WebSocket | null = null;
  #sawHello = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  #nextRef = 0;
  #refs = new Map<string, RefEntry>();
  #inFlight = new Set<string>();
  #typing = new Map<string, TypingState>();
  #lastInputMs = Date.now();
  #inputSinceHeartbeat = true;
  #saidIdle = false;
  /** When input last sent a waking heartbeat; keystrokes must not become a heartbeat each. */
  #lastWakeMs = 0;
  #options: SocketClientOptions;
  #listening = false;

  constructor(options: SocketClientOptions) {
    this.#options = options;
  }

  start(): void {
    this.#listen();
    if (connection.value.phase === "open" || connection.value.phase === "connecting") return;
    this.#connect();
  }

  /** Closes for good: no reconnect. "signed_out" when the session is over. */
  stop(phase: "stopped" | "signed_out" = "stopped"): void {
    this.#transition({ type: "stop" });
    if (phase === "signed_out") connection.value = { ...connection.value, phase };
    this.#clearRetry();
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000);
    this.#stopHeartbeat();
  }

  /** Enter a room (or stay in it) and hear it; rejoined after every reconnect. */
  openRoom(group: string): void {
    const room = app.value.rooms[group];
    update((state) => wantRoom(state, group));
    if (!room?.joined) this.#join(group);
  }

  leaveRoom(group: string): void {
    this.typingStopped(group);
    if (roomOf(app.value, group).joined)
      this.#transmit({ type: "leave", group }, { kind: "other" });
    update((state) => leaveRoomState(state, group));
  }

  send(group: string, text: string): void {
    const key = crypto.randomUUID();
    this.typingStopped(group);
    update((state) => queueSend(state, group, key, text, Date.now()));
    this.#noteInput();
    if (roomOf(app.value, group).joined) this.#transmitSend(group, key, text);
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

  // --- connection -------------------------------------------------------------------------

  #connect(): void {
    this.#clearRetry();
    this.#transition({ type: "connect" });
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${window.location.host}/ws`);
    this.#ws = ws;
    this.#sawHello = false;
    ws.addEventListener("message", (event) => {
      if (this.#ws === ws && typeof event.data === "string") this.#onText(event.data);
    });
    ws.addEventListener("close", (event) => {
      if (this.#ws === ws) this.#onClose(event.code);
    });
  }

  #onClose(code: number): void {
    const failedBeforeHello = !this.#sawHello;
    this.#ws = null;
    this.#stopHeartbeat();
    for (const entry of this.#refs.values()) if (entry.kind === "send") clearTimeout(entry.timer);
    this.#refs.clear();
    this.#inFlight.clear();
    this.#typing.clear();
    update(socketClosed);
    this.#transition({ type: "closed", code });
    if (connection.value.phase === "signed_out") return;
    if (failedBeforeHello) {
      // The upgrade may have been refused (401): the browser only says 1006. Ask, rather than
      // retrying forever with a dead session.
      void this.#options.checkSession().then((verdict) => {
        if (verdict === "invalid") this.#transition({ type: "unauthorized" });
      });
    }
  }

  #transition(event: ConnectionEvent): void {
    const before = connection.value;
    const after = nextConnection(before, event);
    connection.value = after;
    if (after.phase === "waiting" && after.retryInMs !== null && before.phase !== "waiting") {
      this.#clearRetry();
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        if (connection.value.phase === "waiting") this.#connect();
      }, after.retryInMs);
    }
    if (after.phase === "signed_out" && before.phase !== "signed_out") {
      this.#clearRetry();
      this.#options.onSignedOut();
    }
  }

  #nudge(): void {
    if (connection.value.phase !== "waiting") return;
    this.#connect();
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    window.addEventListener("online", () => this.#nudge());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        this.#noteInput();
        this.#nudge();
      } else {
        this.#heartbeat(true);
      }
    });
    for (const type of ["keydown", "pointerdown", "wheel", "touchstart"] as const) {
      window.addEventListener(type, () => this.#noteInput(), { passive: true, capture: true });
    }
  }

  // --- frames -----------------------------------------------------------------------------

  #onText(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return; // the server only sends JSON; a broken frame is not worth a crash
    }
    if (typeof frame !== "object" || frame === null || typeof frame.type !== "string") return;
    if (frame.type === "hello") this.#onHello();
    update((state) => reduceFrame(state, frame, Date.now()));
    switch (frame.type) {
      case "hello":
        this.#startHeartbeat(frame.heartbeatMs);
        this.#rejoinAll();
        break;
      case "group_state":
        if (frame.ref) this.#refs.delete(frame.ref);
        this.#flush(frame.group);
        break;
      case "ack":
        this.#onAck(frame.ref, frame.id);
        break;
      case "error":
        this.#onError(frame);
        break;
      case "user_left":
        // Taken out of a room we still want (e.g. it restarted): go back in.
        if (frame.userId === app.value.me?.id && roomOf(app.value, frame.group).wanted) {
          this.#join(frame.group);
        }
        break;
    }
  }

  #onHello(): void {
    this.#sawHello = true;
    this.#options.onHello?.();
    this.#transition({ type: "hello" });
  }

  #onAck(ref: string, id: string | undefined): void {
    const entry = this.#refs.get(ref);
    this.#refs.delete(ref);
    if (entry?.kind !== "send") return;
    clearTimeout(entry.timer);
    this.#inFlight.delete(entry.key);
    if (id !== undefined) update((state) => sendAcked(state, entry.group, entry.key, id));
  }

  #onError(frame: ErrorFrame): void {
    const entry = frame.ref === undefined ? undefined : this.#refs.get(frame.ref);
    if (frame.ref !== undefined) this.#refs.delete(frame.ref);
    if (entry?.kind === "send") {
      clearTimeout(entry.timer);
      this.#inFlight.delete(entry.key);
      update((state) => sendFailed(state, entry.group, entry.key, sendErrorText(frame)));
      if (frame.code === "not_joined") this.#join(entry.group);
      return;
    }
    if (entry?.kind === "join") {
      if (frame.code === "rate_limited" || frame.code === "room_unavailable") {
        setTimeout(() => this.#join(entry.group), frame.retryAfterMs ?? 1_000);
        return;
      }
      update((state) => ({
        ...state,
        rooms: {
          ...state.rooms,
          [entry.group]: {
            ...roomOf(state, entry.group),
            wanted: false,
            notice: sendErrorText(frame),
          },
        },
      }));
      return;
    }
    if (frame.code === "room_unavailable" && frame.ref === undefined) {
      // The reducer marked the room as left; give it a moment to start anew.
      for (const [group, room] of Object.entries(app.value.rooms)) {
        if (room.wanted && !room.joined) setTimeout(() => this.#join(group), 500);
      }
    }
  }

  #rejoinAll(): void {
    for (const [group, room] of Object.entries(app.value.rooms)) {
      if (room.wanted) this.#join(group);
    }
  }

  #join(group: string): void {
    const room = roomOf(app.value, group);
    const resume = room.epoch === null ? {} : { epoch: room.epoch, afterSeq: room.lastSeq };
    this.#transmit({ type: "join", group, ...resume }, { kind: "join", group });
  }

  #flush(group: string): void {
    for (const send of sendsToFlush(app.value, group)) {
      if (!this.#inFlight.has(send.key)) this.#transmitSend(group, send.key, send.text);
    }
  }

  #transmitSend(group: string, key: string, text: string): void {
    const timer = setTimeout(() => {
      this.#inFlight.delete(key);
      update((state) => sendFailed(state, group, key, "No answer from the server."));
    }, ACK_TIMEOUT_MS);
    this.#inFlight.add(key);
    const sent = this.#transmit(
      { type: "send", group, text, key },
      { kind: "send", group, key, timer },
    );
    if (!sent) {
      clearTimeout(timer);
      this.#inFlight.delete(key);
    }
  }

  #transmit(frame: Record<string, unknown>, entry: RefEntry): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.#sawHello) return false;
    const ref = String(++this.#nextRef);
    if (entry.kind !== "other") this.#refs.set(ref, entry);
    ws.send(JSON.stringify({ ...frame, ...(entry.kind === "other" ? {} : { ref }) }));
    return true;
  }

  #typingSignal(group: string, step: (state: TypingState) => [TypingState, TypingSignal]): void {
    const [next, signal] = step(this.#typing.get(group) ?? NOT_TYPING);
    this.#typing.set(group, next);
    if (signal && roomOf(app.value, group).joined && !this.#isMuted(group)) {
      this.#transmit({ type: signal, group }, { kind: "other" });
    }
  }

  #isMuted(group: string): boolean {
    return app.value.groups.find((g) => g.id === group)?.muted === true;
  }

  // --- heartbeat and idle -------------------------------------------------------------------

  #startHeartbeat(intervalMs: number): void {
    this.#stopHeartbeat();
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), Math.max(1_000, intervalMs));
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer !== null) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  /**
   * `idle: true` when the tab is hidden, `idle: false` only after real input (it counts as
   * activity on the server), and no `idle` otherwise, so the server's idle timer decides.
   */
  #heartbeat(forceIdle = false): void {
    const hidden = forceIdle || document.visibilityState === "hidden";
    const fresh = this.#inputSinceHeartbeat && Date.now() - this.#lastInputMs < INPUT_FRESH_MS;
    const frame = hidden
      ? { type: "heartbeat", idle: true }
      : fresh
        ? { type: "heartbeat", idle: false }
        : { type: "heartbeat" };
    if (this.#transmit(frame, { kind: "other" })) {
      this.#inputSinceHeartbeat = false;
      this.#saidIdle = hidden;
    }
  }

  #noteInput(): void {
    this.#lastInputMs = Date.now();
    this.#inputSinceHeartbeat = true;
    // Back from away: tell the room now rather than at the next heartbeat.
    const me = app.value.me?.id;
    const shownIdle =
      me !== undefined &&
      Object.values(app.value.statuses).some((statuses) => statuses[me] === "idle");
    const sinceWakeMs = Date.now() - this.#lastWakeMs;
    if (
      (this.#saidIdle || shownIdle) &&
      document.visibilityState === "visible" &&
      sinceWakeMs > 1_000
    ) {
      this.#lastWakeMs = Date.now();
      this.#heartbeat();
    }
  }
}
