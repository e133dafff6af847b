import type { WebSocketBehavior } from "uWebSockets.js";
import { LIMITS } from "@clofri/protocol";
import type { Config } from "../config.ts";
import type { SocketData } from "./connection.ts";

/** Room for one message frame's fields besides the text, and for a group_state's members. */
const MESSAGE_OVERHEAD_BYTES = 1_024;
const MEMBERS_OVERHEAD_BYTES = 64 * 1024;
/** The protocol caps frames at 16 KiB; uWS would drop bigger ones without a close code. */
const MAX_PAYLOAD_BYTES = 64 * 1024;

/** uWS's own limits for `/ws`, set explicitly rather than left to its defaults. */
export function socketOptions(config: Config): WebSocketBehavior<SocketData> {
  return {
    maxPayloadLength: MAX_PAYLOAD_BYTES,
    idleTimeout: config.timing.wsIdleTimeoutSeconds,
    sendPingsAutomatically: true,
    maxBackpressure: hardBackpressureLimit(config),
    closeOnBackpressureLimit: 1,
  };
}

/**
 * Where uWS itself drops output and cuts the socket (1006): our bound plus the largest frame sent
 * at once (a full group_state), so the 4009 close is still queued after any one send.
 */
function hardBackpressureLimit(config: Config): number {
  const largestFrameBytes =
    config.retention.maxMessages * (4 * LIMITS.maxTextLength + MESSAGE_OVERHEAD_BYTES) +
    MEMBERS_OVERHEAD_BYTES;
  return config.limits.maxBackpressureBytes + largestFrameBytes;
}
