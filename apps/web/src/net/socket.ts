// One WebSocket to /ws, as Phoenix's Socket: opened and reopened as reconnect.ts decides, the
// heartbeat timer, and the pushes waiting for replies. What the frames mean is the client's.
import type { ClientFrame, ServerFrame } from "@clofri/protocol";
import { CLOSE_CODES } from "@clofri/protocol/codes";
import { connection } from "./connection-signal.ts";
import { frameTap } from "./frame-tap.ts";
import { Pushes, type PushFrame, type PushOptions } from "./push.ts";
import { type ConnectionEvent, connectionEffects, nextConnection } from "./reconnect.ts";
import { type Cancel, Timers } from "./timers.ts";

/** The debug view's "drop the socket": a close code of the application range, not 1000. */
const DEBUG_DROP = 3000;
const MIN_HEARTBEAT_MS = 1_000;

export interface SocketOptions {
  /** The session is gone: the app goes to sign in. */
  onSignedOut: () => void;
  /** The server greeted us: the session works. */
  onHello?: () => void;
  /** Asked after a socket failed before hello: is the session still valid? */
  checkSession: () => Promise<"valid" | "invalid" | "unknown">;
}

interface SocketHandlers {
  /** Every frame, in order; replies reach their push's hook after this. */
  onFrame: (frame: ServerFrame) => void;
  /** The socket went away; a new one follows if the machine says so. */
  onClose: () => void;
  /** Time for a heartbeat, at the pace hello asked for. */
  onHeartbeat: () => void;
}

export class Socket {
  #ws: WebSocket | null = null;
  #sawHello = false;
  readonly #timers = new Timers();
  readonly #pushes = new Pushes(this.#timers);
  #cancelRetry: Cancel | null = null;
  #cancelHeartbeat: Cancel | null = null;
  readonly #options: SocketOptions;
  readonly #handlers: SocketHandlers;

  constructor(options: SocketOptions, handlers: SocketHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    frameTap.drop = () => this.#ws?.close(DEBUG_DROP, "dropped from the debug view");
  }

  connect(): void {
    this.#dispatch({ type: "connect" });
  }

  /** The network or the person is back: skip any wait. */
  nudge(): void {
    this.#dispatch({ type: "nudge" });
  }

  /** Closes for good, with every timer: no reconnect. */
  stop(phase: "stopped" | "signed_out"): void {
    this.#dispatch(phase === "signed_out" ? { type: "sign_out" } : { type: "stop" });
  }

  /** Sends a frame that wants no reply; false when there is no greeted socket to take it. */
  transmit(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.#sawHello) return false;
    const text = JSON.stringify(frame);
    ws.send(text);
    frameTap.record("out", text);
    return true;
  }

  push(frame: PushFrame, options: PushOptions): boolean {
    return this.#pushes.push(frame, options, (withRef) => this.transmit(withRef));
  }

  isWaiting(test: (frame: PushFrame) => boolean): boolean {
    return this.#pushes.isWaiting(test);
  }

  /** Runs `run` later unless this socket closes first. */
  later(delayMs: number, run: () => void): void {
    this.#timers.after(delayMs, run);
  }

  #dispatch(event: ConnectionEvent): void {
    const before = connection.value;
    const after = nextConnection(before, event);
    connection.value = after;
    const effects = connectionEffects(before, after, event);
    if (effects.closeSocket) this.#close();
    if (effects.cancelRetry) this.#cancelRetry?.();
    if (effects.retryInMs !== null) {
      this.#cancelRetry = this.#timers.after(effects.retryInMs, () =>
        this.#dispatch({ type: "retry_timer" }),
      );
    }
    if (effects.openSocket) this.#open();
    if (effects.tellSignedOut) this.#options.onSignedOut();
  }

  #open(): void {
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

  #close(): void {
    const ws = this.#ws;
    this.#ws = null; // its close event is then ours, not a loss
    ws?.close(CLOSE_CODES.normal);
    this.#forgetSocket();
  }

  #forgetSocket(): void {
    this.#timers.clearAll();
    this.#pushes.clear();
    this.#cancelRetry = null;
    this.#cancelHeartbeat = null;
  }

  #onClose(code: number): void {
    const failedBeforeHello = !this.#sawHello;
    this.#ws = null;
    this.#forgetSocket();
    this.#handlers.onClose();
    this.#dispatch({ type: "closed", code });
    if (!failedBeforeHello || connection.value.phase === "signed_out") return;
    // The upgrade may have been refused (401): the browser only says 1006. Ask, rather than
    // retrying forever with a dead session.
    void this.#options.checkSession().then((verdict) => {
      if (verdict === "invalid") this.#dispatch({ type: "unauthorized" });
    });
  }

  #onText(text: string): void {
    frameTap.record("in", text);
    const frame = parseFrame(text);
    if (!frame) return;
    if (frame.type === "hello") this.#onHello(frame.heartbeatMs);
    this.#handlers.onFrame(frame);
    this.#pushes.settle(frame);
  }

  #onHello(heartbeatMs: number): void {
    this.#sawHello = true;
    this.#options.onHello?.();
    this.#dispatch({ type: "hello" });
    this.#cancelHeartbeat?.();
    this.#cancelHeartbeat = this.#timers.every(Math.max(MIN_HEARTBEAT_MS, heartbeatMs), () =>
      this.#handlers.onHeartbeat(),
    );
  }
}

function parseFrame(text: string): ServerFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null; // the server only sends JSON; a broken frame is not worth a crash
  }
  if (typeof frame !== "object" || frame === null) return null;
  return typeof (frame as { type?: unknown }).type === "string" ? (frame as ServerFrame) : null;
}
