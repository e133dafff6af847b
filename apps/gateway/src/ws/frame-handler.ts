import {
  CLOSE_CODES,
  type ClientFrame,
  decodeClientFrame,
  type EditFrame,
  encode,
  encodeSendAck,
  type HeartbeatAckFrame,
  type HeartbeatFrame,
  type JoinFrame,
  type LeaveFrame,
  type ReactFrame,
  type ReadFrame,
  type SendFrame,
  type TypingStartFrame,
  type TypingStopFrame,
  type UnsendFrame,
} from "@clofri/protocol";
import type { RoomReplies } from "../chat/room-messages.ts";
import type { Rooms } from "../chat/rooms.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { Connection } from "./connection.ts";
import type { FrameLimits } from "./frame-limits.ts";
import type { HeldReplies } from "./held-replies.ts";
import type { Liveness } from "./liveness.ts";
import { sendAck, sendError, sendFailure } from "./replies.ts";

export interface FrameHandlerDeps {
  rooms: Rooms;
  limits: FrameLimits;
  liveness: Liveness;
  held: HeldReplies;
  now: () => number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/**
 * What each client frame does. Every frame with a `ref` gets exactly one reply carrying it, and
 * this is where it is written: its documented reply (`heartbeat_ack`; a join's `group_state` is
 * the room's, for its order), an `ack`, or an `error`. Whether a room was joined is the room's call.
 */
export class FrameHandler {
  readonly #deps: FrameHandlerDeps;

  constructor(deps: FrameHandlerDeps) {
    this.#deps = deps;
  }

  /** Every frame spends budget, the refused ones too: floods of anything end with 4008. */
  handle(conn: Connection, text: string): void {
    const { limits, metrics } = this.#deps;
    const decoded = decodeClientFrame(text);
    metrics.frameReceived(decoded.ok ? decoded.frame.type : "invalid");
    if (!decoded.ok) {
      if (this.#allow(conn, decoded.ref, limits.spendControl(conn), "frames")) {
        sendError(conn, decoded.ref, "invalid_frame", decoded.message);
      }
      return;
    }
    const frame = decoded.frame;
    if (frame.type === "send") {
      this.#send(conn, frame);
      return;
    }
    if (!this.#allow(conn, frame.ref, limits.spendControl(conn), "frames")) return;
    this.#dispatch(conn, frame).catch((error: unknown) => this.#failed(conn, frame, error));
  }

  /** Binary frames are not part of the protocol. */
  handleBinary(conn: Connection): void {
    this.#deps.metrics.frameReceived("binary");
    if (this.#allow(conn, undefined, this.#deps.limits.spendControl(conn), "frames")) {
      const message = "expected a text frame; binary frames are refused";
      sendError(conn, undefined, "invalid_frame", message);
    }
  }

  #allow(
    conn: Connection,
    ref: string | undefined,
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
    sendError(conn, ref, "rate_limited", `too many ${what}; slow down`, spend.retryAfterMs);
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
      case "read":
        return this.#read(conn, frame);
      case "unsend":
      case "edit":
      case "react":
        return this.#act(conn, frame);
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
    const wasJoined = conn.hasJoined(groupId);
    conn.joinRoom(groupId);
    const startedAt = performance.now();
    const result = await this.#deps.rooms.join(groupId, {
      connId: conn.id,
      user: state.user,
      isMuted: membership.muted,
      isIdle: conn.isIdle,
      isHidden: state.presenceMode === "offline",
      ...(frame.epoch === undefined ? {} : { epoch: frame.epoch }),
      ...(frame.afterSeq === undefined ? {} : { afterSeq: frame.afterSeq }),
      ...(frame.ref === undefined ? {} : { ref: frame.ref }),
    });
    if (result.ok) {
      this.#deps.metrics.joinLatency((performance.now() - startedAt) / 1000);
      if (!conn.isClosed) conn.joinRoom(groupId);
      this.#deps.logger.info({ event: "room_join", userId: conn.userId, groupId, connId: conn.id });
      return;
    }
    if (!wasJoined) conn.leaveRoom(groupId);
    sendFailure(conn, frame.ref, result);
  }

  async #leave(conn: Connection, frame: LeaveFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    const { id: connId, userId } = conn;
    const result = await this.#deps.rooms.call(groupId, { type: "leave", connId, userId });
    // A room that failed on the leave may still hold the connection: keep it for the close.
    if (result.ok || result.code === "not_joined") conn.leaveRoom(groupId);
    if (!result.ok) return sendFailure(conn, frame.ref, result);
    sendAck(conn, frame.ref);
    this.#deps.logger.info({ event: "room_leave", userId, groupId, connId });
  }

  /**
   * The hot path, synchronous; the room answers inside its turn, right after publishing. The
   * ack waits for the end of this turn (`HeldReplies`), so it follows the sender's own copy.
   */
  #send(conn: Connection, frame: SendFrame): void {
    const { held, limits, liveness, metrics, rooms } = this.#deps;
    const groupId = frame.group.toLowerCase();
    // A send to a room not joined is no message: it spends the other budget (the room refuses it).
    const isJoined = conn.hasJoined(groupId);
    const spend = isJoined ? limits.spendMessage(conn) : limits.spendControl(conn);
    if (!this.#allow(conn, frame.ref, spend, isJoined ? "messages" : "frames")) return;
    if (isJoined) liveness.markActive(conn);
    const startedAt = performance.now();
    const { id: connId, userId } = conn;
    const request = {
      connId,
      userId,
      displayName: displayName(conn),
      text: frame.text,
      key: frame.key,
      mentions: frame.mentions,
      replyTo: frame.replyTo?.toLowerCase(),
    };
    try {
      rooms.send(groupId, request, (result) => {
        // Runs inside the room's turn: a bug here is ours to report, not the room's to crash on.
        try {
          if (!result.ok) return sendFailure(conn, frame.ref, result);
          metrics.sendLatency((performance.now() - startedAt) / 1000);
          if (frame.ref !== undefined) {
            held.hold(conn, encodeSendAck(frame.ref, result.id, result.ts));
          }
        } catch (error) {
          this.#failed(conn, frame, error);
        }
      });
    } catch (error) {
      this.#failed(conn, frame, error);
    }
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
    // Typing is activity only in a room this socket is in.
    if (conn.hasJoined(groupId)) this.#deps.liveness.markActive(conn);
    const result = await this.#deps.rooms.call(groupId, {
      type: "typing_start",
      connId: conn.id,
      userId: conn.userId,
      displayName: displayName(conn),
    });
    if (result.ok) sendAck(conn, frame.ref);
    else sendFailure(conn, frame.ref, result);
  }

  async #read(conn: Connection, frame: ReadFrame): Promise<void> {
    const { id: connId, userId } = conn;
    const request = { type: "read", connId, userId, seq: frame.seq } as const;
    const result = await this.#deps.rooms.call(frame.group.toLowerCase(), request);
    if (result.ok) sendAck(conn, frame.ref);
    else sendFailure(conn, frame.ref, result);
  }

  /** Message actions; whether the person is the group's creator is the edge's to say. */
  async #act(conn: Connection, frame: UnsendFrame | EditFrame | ReactFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    const asked = { connId: conn.id, userId: conn.userId, id: frame.id.toLowerCase() };
    const { rooms } = this.#deps;
    let result: RoomReplies["unsend" | "edit" | "react"];
    if (frame.type === "unsend") {
      const isCreator = conn.state?.groups.get(groupId)?.role === "creator";
      result = await rooms.call(groupId, { type: "unsend", ...asked, isCreator });
    } else if (frame.type === "edit") {
      result = await rooms.call(groupId, { type: "edit", ...asked, text: frame.text });
    } else {
      const { emoji, on } = frame;
      result = await rooms.call(groupId, { type: "react", ...asked, emoji, on });
    }
    if (result.ok) sendAck(conn, frame.ref);
    else sendFailure(conn, frame.ref, result);
  }

  async #typingStop(conn: Connection, frame: TypingStopFrame): Promise<void> {
    const groupId = frame.group.toLowerCase();
    const { id: connId, userId } = conn;
    const result = await this.#deps.rooms.call(groupId, { type: "typing_stop", connId, userId });
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
}

function displayName(conn: Connection): string {
  return conn.state?.user.displayName ?? "";
}
