import {
  type AckFrame,
  CLOSE_CODES,
  type ClientFrame,
  decodeClientFrame,
  type ErrorCode,
  encode,
  type HeartbeatAckFrame,
  type HeartbeatFrame,
  type JoinFrame,
  type LeaveFrame,
  type SendFrame,
  type TypingStartFrame,
  type TypingStopFrame,
} from "@clofri/protocol";
import type { RoomFailure } from "../chat/room-api.ts";
import type { Rooms } from "../chat/rooms.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import type { FrameLimits } from "./frame-limits.ts";
import type { Liveness } from "./liveness.ts";

export interface FrameHandlerDeps {
  rooms: Rooms;
  limits: FrameLimits;
  liveness: Liveness;
  now: () => number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/**
 * What each client frame does. Every frame with a `ref` gets exactly one reply carrying it: its
 * documented reply (`group_state`, `heartbeat_ack`), an `ack`, or an `error`. Errors are sent
 * without a ref too, so a client that sends without refs still learns what went wrong.
 */
export class FrameHandler {
  readonly #deps: FrameHandlerDeps;

  constructor(deps: FrameHandlerDeps) {
    this.#deps = deps;
  }

  handle(conn: Connection, text: string): void {
    const decoded = decodeClientFrame(text);
    this.#deps.metrics.frameReceived(decoded.ok ? decoded.frame.type : "invalid");
    if (!decoded.ok) {
      sendError(conn, decoded.ref, "invalid_frame", decoded.message);
      return;
    }
    const frame = decoded.frame;
    if (frame.type !== "send") {
      if (!this.#allow(conn, frame, this.#deps.limits.spendControl(conn), "frames")) return;
      this.#dispatch(conn, frame).catch((error: unknown) => this.#failed(conn, frame, error));
      return;
    }
    // Sending to a room not joined is answered without spending anything.
    const groupId = frame.group.toLowerCase();
    if (!conn.joined.has(groupId)) {
      sendNotJoined(conn, frame.ref, groupId);
      return;
    }
    if (!this.#allow(conn, frame, this.#deps.limits.spendMessage(conn), "messages")) return;
    try {
      this.#send(conn, frame, groupId);
    } catch (error) {
      this.#failed(conn, frame, error);
    }
  }

  /** Binary frames are not part of the protocol. */
  handleBinary(conn: Connection): void {
    this.#deps.metrics.frameReceived("binary");
    sendError(conn, undefined, "invalid_frame", "expected a text frame; binary frames are refused");
  }

  #allow(
    conn: Connection,
    frame: ClientFrame,
    spend: ReturnType<FrameLimits["spendMessage"]>,
    what: "messages" | "frames",
  ): boolean {
    if (spend.ok) return true;
    const { logger, metrics } = this.#deps;
    const limit = what === "messages" ? "ws_messages" : "ws_frames";
    metrics.rateLimited(limit);
    if (this.#deps.limits.isAbusive(conn)) {
      logger.warn({ event: "ws_abuse_closed", userId: conn.userId, connId: conn.id });
      conn.close(CLOSE_CODES.policyViolation, "rate limits exceeded far and often");
      return false;
    }
    // One line per connection per abuse window, not one per refused frame; the metric counts all.
    if (conn.refusals.count === 1) {
      logger.info({ event: "rate_limited", limit, userId: conn.userId, connId: conn.id });
    }
    sendError(conn, frame.ref, "rate_limited", `too many ${what}; slow down`, spend.retryAfterMs);
    return false;
  }

  async #dispatch(conn: Connection, frame: Exclude<ClientFrame, SendFrame>): Promise<void> {
    switch (frame.type) {
      case "join":
        return this.#join(conn, frame);
      case "leave":
        return this.#leave(conn, frame);
      case "typing_start":
        return this.#typingStart(conn, frame);
      case "typing_stop":
        return this.#typingStop(conn, frame);
      case "heartbeat":
        return this.#heartbeat(conn, frame);
    }
  }

  async #join(conn: Connection, frame: JoinFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    const state = conn.state;
    const membership = state?.groups.get(groupId);
    if (state === undefined || membership === undefined) {
      sendError(conn, frame.ref, "not_member", `you are not a member of group ${groupId}`);
      return;
    }
    // Marked before the room answers, so a close meanwhile still takes the connection out.
    const wasJoined = conn.joined.has(groupId);
    conn.joined.add(groupId);
    const startedAt = performance.now();
    const result = await this.#deps.rooms.join(groupId, {
      connId: conn.id,
      user: state.user,
      isMuted: membership.muted,
      isIdle: conn.isIdle,
      ...(frame.epoch === undefined ? {} : { epoch: frame.epoch }),
      ...(frame.afterSeq === undefined ? {} : { afterSeq: frame.afterSeq }),
      ...(frame.ref === undefined ? {} : { ref: frame.ref }),
    });
    // On success the room sent group_state (with the ref) itself.
    if (result.ok) {
      this.#deps.metrics.joinLatency((performance.now() - startedAt) / 1000);
      if (!conn.isClosed) conn.joined.add(groupId);
      this.#deps.logger.info({ event: "room_join", userId: conn.userId, groupId, connId: conn.id });
      return;
    }
    if (!wasJoined) conn.joined.delete(groupId);
    sendFailure(conn, frame.ref, result);
  }

  async #leave(conn: Connection, frame: LeaveFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    if (!conn.joined.has(groupId)) return sendNotJoined(conn, frame.ref, groupId);
    const result = await this.#deps.rooms.leave(groupId, { connId: conn.id, userId: conn.userId });
    // A room that failed on the leave may still hold the connection: keep it for the close.
    if (result.ok || result.code === "not_joined") conn.joined.delete(groupId);
    if (!result.ok) return sendFailure(conn, frame.ref, result);
    sendAck(conn, frame.ref);
    this.#deps.logger.info({ event: "room_leave", userId: conn.userId, groupId, connId: conn.id });
  }

  /**
   * The hot path, synchronous: the room publishes the message and hands the port the ack (which
   * leaves after the sender's copy, at the end of this event-loop turn) and answers inside its
   * turn; only a failure is ours to send.
   */
  #send(conn: Connection, frame: SendFrame, groupId: string): void {
    this.#deps.liveness.markActive(conn);
    const startedAt = performance.now();
    const request = {
      connId: conn.id,
      userId: conn.userId,
      displayName: this.#displayName(conn),
      text: frame.text,
      key: frame.key,
      ref: frame.ref,
    };
    this.#deps.rooms.send(groupId, request, (result) => {
      // Runs inside the room's turn: a bug here is ours to report, not the room's to crash on.
      try {
        if (result.ok) this.#deps.metrics.sendLatency((performance.now() - startedAt) / 1000);
        else sendFailure(conn, frame.ref, result);
      } catch (error) {
        this.#failed(conn, frame, error);
      }
    });
  }

  /** A bug below the edge: logged, and the client told without internals. */
  #failed(conn: Connection, frame: ClientFrame, error: unknown): void {
    this.#deps.logger.error({
      event: "ws_frame_failed",
      type: frame.type,
      userId: conn.userId,
      err: error,
    });
    sendError(conn, frame.ref, "internal", "something went wrong on our side");
  }

  async #typingStart(conn: Connection, frame: TypingStartFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    if (!conn.joined.has(groupId)) return sendNotJoined(conn, frame.ref, groupId);
    this.#deps.liveness.markActive(conn);
    const result = await this.#deps.rooms.typingStart(groupId, {
      connId: conn.id,
      userId: conn.userId,
      displayName: this.#displayName(conn),
    });
    if (result.ok) sendAck(conn, frame.ref);
    else sendFailure(conn, frame.ref, result);
  }

  async #typingStop(conn: Connection, frame: TypingStopFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    if (!conn.joined.has(groupId)) return sendNotJoined(conn, frame.ref, groupId);
    const result = await this.#deps.rooms.typingStop(groupId, {
      connId: conn.id,
      userId: conn.userId,
    });
    if (result.ok) sendAck(conn, frame.ref);
    else sendFailure(conn, frame.ref, result);
  }

  async #heartbeat(conn: Connection, frame: HeartbeatFrame): Promise<void> {
    const { liveness } = this.#deps;
    if (frame.idle === true) liveness.declareIdle(conn);
    else if (frame.idle === false) liveness.markActive(conn);
    // PROTOCOL: a frame with a ref gets its documented reply carrying the ref.
    const ack: HeartbeatAckFrame & { ref?: string } = {
      type: "heartbeat_ack",
      ts: this.#deps.now(),
    };
    if (frame.ref !== undefined) ack.ref = frame.ref;
    conn.send(encode(ack));
  }

  #displayName(conn: Connection): string {
    return conn.state?.user.displayName ?? "";
  }
}

function sendAck(
  conn: Connection,
  ref: string | undefined,
  fields: Omit<AckFrame, "type" | "ref"> = {},
): void {
  if (ref === undefined) return;
  conn.send(encode({ type: "ack", ref, ...fields }));
}

function sendFailure(conn: Connection, ref: string | undefined, failure: RoomFailure): void {
  sendError(conn, ref, failure.code, failure.message);
}

function sendNotJoined(conn: Connection, ref: string | undefined, groupId: string): void {
  sendError(conn, ref, "not_joined", `this connection has not joined group ${groupId}`);
}

function sendError(
  conn: Connection,
  ref: string | undefined,
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
): void {
  conn.send(
    encode({
      type: "error",
      ...(ref === undefined ? {} : { ref }),
      code,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }),
  );
}
