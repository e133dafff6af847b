import { type ErrorCode, encode } from "@clofri/protocol";
import type { RoomFailure } from "../chat/room-messages.ts";
import type { Connection } from "./connection.ts";

// A client frame's reply when it is an `ack` or an `error`. Errors go out without a ref too, so a
// client that sends without refs still learns what went wrong.

export function sendAck(conn: Connection, ref: string | undefined): void {
  if (ref !== undefined) conn.send(encode({ type: "ack", ref }));
}

export function sendFailure(conn: Connection, ref: string | undefined, failure: RoomFailure): void {
  sendError(conn, ref, failure.code, failure.message);
}

export function sendError(
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
