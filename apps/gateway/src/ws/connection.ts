import type { WebSocket } from "uWebSockets.js";
import { CLOSE_CODES } from "@clofri/protocol";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { UserState } from "./users/user-state.ts";

/** What the upgrade hands to uWS for a socket; the rest of a connection's state lives here. */
export interface SocketData {
  connId: string;
  /** The SHA-256 of the session token, not confirmed yet: the socket confirms it once open. */
  sessionId: string;
  /** Set once the socket opened: each frame finds its connection without a lookup. */
  conn?: Connection;
}

/** A frame that arrived before the session was confirmed: its text, or null for a binary one. */
export type EarlyFrame = string | null;

/** Frames a client may send before its hello; more is a flood (4008). */
const MAX_EARLY_FRAMES = 16;

/** `ws.send` results (uWS): 1 sent, 0 buffered, 2 dropped past `maxBackpressure`. */
const SEND_BUFFERED = 0;
const SEND_DROPPED = 2;

/** Closes the server decides on that still show the user's departure at once (no grace). */
const CLEAN_SERVER_CLOSES: ReadonlySet<number> = new Set([
  CLOSE_CODES.goingAway,
  CLOSE_CODES.heartbeatTimeout,
  CLOSE_CODES.sessionEnded,
  CLOSE_CODES.policyViolation,
]);
/** A client that says goodbye (normal closure, or going away as a tab closes). */
const CLEAN_CLIENT_CLOSES: ReadonlySet<number> = new Set([
  CLOSE_CODES.normal,
  CLOSE_CODES.goingAway,
]);

/**
 * One open socket and what the gateway knows of it. Every call on the uWS socket goes through
 * here, because any call after the socket closed throws "Invalid access of closed uWS.WebSocket".
 */
export class Connection {
  readonly id: string;
  readonly sessionId: string;
  #userId: string | undefined;
  /** Frames received before the session was confirmed, handled right after the hello. */
  #early: EarlyFrame[] | undefined = [];
  readonly #ws: WebSocket<SocketData>;
  readonly #maxBufferedBytes: number;
  readonly #metrics: GatewayMetrics;
  /** Groups whose room this connection joined, or is joining: the rooms told of its close. */
  readonly #joined = new Set<string>();
  readonly #topics = new Set<string>();
  #isClosed = false;
  /** Replies waiting for the end of this event-loop turn (see `hold`). */
  #held: string[] | undefined;
  /** The code the server closed with, when it was the server. */
  #serverCloseCode: number | undefined;
  #isDrop = false;

  readonly openedAtMs: number;
  /** Any frame at all: liveness. */
  lastFrameMs: number;
  /** Something the person did (sent, typed, or a heartbeat saying they are not idle). */
  lastActivityMs: number;
  /** The client's last heartbeat said `idle: true`. */
  isIdleDeclared = false;
  /** What the rooms were last told. */
  isIdle = false;
  /** Refused frames in the current abuse window. */
  refusals = { windowStartMs: 0, count: 0 };
  /** The user's state, held by this connection from open to close (their name, groups). */
  state: UserState | undefined;

  constructor(
    ws: WebSocket<SocketData>,
    options: { maxBufferedBytes: number; nowMs: number; metrics: GatewayMetrics },
  ) {
    const data = ws.getUserData();
    this.id = data.connId;
    this.sessionId = data.sessionId;
    this.#ws = ws;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#metrics = options.metrics;
    this.openedAtMs = options.nowMs;
    this.lastFrameMs = options.nowMs;
    this.lastActivityMs = options.nowMs;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Whether the session was confirmed: the person is known. */
  get isIdentified(): boolean {
    return this.#userId !== undefined;
  }

  /** Whether the person's state is loaded and the hello sent: frames are handled as they come. */
  get isAdmitted(): boolean {
    return this.state !== undefined;
  }

  /** The person on this socket; known once identified (a bug to ask before). */
  get userId(): string {
    if (this.#userId === undefined) throw new Error(`connection ${this.id} is not identified yet`);
    return this.#userId;
  }

  identify(userId: string): void {
    this.#userId = userId;
  }

  admit(state: UserState): void {
    this.state = state;
  }

  /** The groups whose room this connection joined or is joining. */
  get joinedRooms(): ReadonlySet<string> {
    return this.#joined;
  }

  hasJoined(groupId: string): boolean {
    return this.#joined.has(groupId);
  }

  /** Marked when the join is asked for, so that a close meanwhile still reaches the room. */
  joinRoom(groupId: string): void {
    this.#joined.add(groupId);
  }

  leaveRoom(groupId: string): void {
    this.#joined.delete(groupId);
  }

  /** Keeps a frame that came before the hello; false when the client sent too many. */
  keepEarly(frame: EarlyFrame): boolean {
    if (this.#early === undefined) throw new Error(`connection ${this.id} is past its hello`);
    if (this.#early.length >= MAX_EARLY_FRAMES) return false;
    this.#early.push(frame);
    return true;
  }

  /** The frames kept before the hello, once; later frames are handled as they come. */
  takeEarly(): EarlyFrame[] {
    const early = this.#early ?? [];
    this.#early = undefined;
    return early;
  }

  /** Sends one text frame; a client that does not read is disconnected (4009), never buffered on. */
  send(text: string): void {
    if (this.#isClosed) return;
    const status = this.#ws.send(text, false);
    this.#metrics.framesSent(text, 1);
    if (status === SEND_DROPPED) this.close(CLOSE_CODES.slowConsumer, "slow consumer");
    // Unsent output only grows when uWS reports it buffered some.
    else if (status === SEND_BUFFERED) this.checkBackpressure();
  }

  /**
   * Keeps `text` to send at the end of this event-loop turn (`flushHeld`), or before a close if
   * the server closes first. True when nothing was held yet: the caller schedules the flush.
   */
  hold(text: string): boolean {
    if (this.#isClosed) return false;
    if (this.#held === undefined) {
      this.#held = [text];
      return true;
    }
    this.#held.push(text);
    return false;
  }

  /** Sends what `hold` kept, corked: with what uWS queued for this socket's topics, one write. */
  flushHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    if (this.#isClosed) return;
    this.#ws.cork(() => {
      for (const text of held) this.send(text);
    });
  }

  /** Closes the socket with 4009 when its unsent output passed the bound; true when it did. */
  checkBackpressure(): boolean {
    if (this.#isClosed || this.#ws.getBufferedAmount() <= this.#maxBufferedBytes) return false;
    this.close(CLOSE_CODES.slowConsumer, "slow consumer");
    return true;
  }

  /** Publishes to `topic` from this socket: every subscriber gets it but this socket. */
  publish(topic: string, text: string): void {
    if (this.#isClosed) return;
    this.#ws.publish(topic, text, false);
  }

  subscribe(topic: string): void {
    if (this.#isClosed || this.#topics.has(topic)) return;
    this.#topics.add(topic);
    this.#ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (this.#isClosed || !this.#topics.delete(topic)) return;
    this.#ws.unsubscribe(topic);
  }

  /** The topics this socket hears. */
  get topics(): ReadonlySet<string> {
    return this.#topics;
  }

  /** Closes with a close frame; uWS runs the close handler before this returns. */
  /**
   * Closes with a close frame; uWS runs the close handler before this returns. `isDrop`: the
   * person is kept present for the grace, as after a dropped socket (a gateway handing its
   * rooms over, whose clients come back through another).
   */
  close(code: number, reason: string, isDrop = false): void {
    if (this.#isClosed) return;
    // What was held for the end of the turn (acks) goes first: every ref still gets its reply.
    this.flushHeld();
    // Sending those may have closed the socket already (slow consumer).
    if (this.#isClosed) return;
    this.#serverCloseCode = code;
    this.#isDrop = isDrop;
    this.#ws.end(code, reason);
  }

  /**
   * Called from the close handler: the socket may not be touched again. Returns whether the
   * departure was clean (shown at once) or a drop (the user stays present for the grace).
   */
  markClosed(code: number): { isClean: boolean } {
    this.#isClosed = true;
    const isClean =
      this.#serverCloseCode === undefined
        ? CLEAN_CLIENT_CLOSES.has(code)
        : !this.#isDrop && CLEAN_SERVER_CLOSES.has(this.#serverCloseCode);
    return { isClean };
  }
}
