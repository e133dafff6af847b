import type { HttpRequest, HttpResponse, us_socket_context_t } from "uWebSockets.js";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { isTokenShaped } from "../auth/sessions.ts";
import { findToken } from "../http/credentials.ts";
import { SECURITY_HEADERS } from "../http/security-headers.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import { hashToken } from "../tokens.ts";
import type { SocketData } from "./connection.ts";

export interface UpgradeDeps {
  appOrigin(): string;
  /** False once shutting down: no new sockets. */
  isAccepting(): boolean;
  logger: Logger;
  metrics: GatewayMetrics;
}

interface Refusal {
  status: 401 | 403 | 503;
  code: "unauthorized" | "forbidden" | "unavailable";
  message: string;
  /** Why, for the log line: never the token. */
  why: string;
}

interface Accepted {
  sessionId: string;
}

/**
 * `GET /ws`, answered before this handler returns (503 shutting down, 403 foreign Origin, 401 no
 * token): the session is confirmed once the socket is open, as uWS 20.30 can drop a socket
 * upgraded after an await (docs/PROTOCOL.md §1).
 */
export function upgradeHandler(deps: UpgradeDeps) {
  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    const headers = new Map<string, string>();
    req.forEach((key, value) => {
      headers.set(key, value);
    });
    const checked = check(headers, deps);
    if ("status" in checked) {
      refuse(res, checked, deps);
      return;
    }
    const data: SocketData = { connId: flatUuid(), sessionId: checked.sessionId };
    res.upgrade(
      data,
      headers.get("sec-websocket-key") ?? "",
      headers.get("sec-websocket-protocol") ?? "",
      headers.get("sec-websocket-extensions") ?? "",
      context,
    );
  };
}

/** What can be decided without waiting: the refusal, or the session to confirm once open. */
function check(headers: ReadonlyMap<string, string>, deps: UpgradeDeps): Refusal | Accepted {
  if (!deps.isAccepting()) {
    const message = "the server is shutting down; try again shortly";
    return { status: 503, code: "unavailable", message, why: "shutting_down" };
  }
  const origin = headers.get("origin");
  if (origin !== undefined && origin !== deps.appOrigin()) {
    const message = "cross-origin WebSocket refused";
    return { status: 403, code: "forbidden", message, why: "foreign_origin" };
  }
  const found = findToken(headers);
  if (found === undefined || !isTokenShaped(found.token)) {
    return { status: 401, code: "unauthorized", message: "sign in first", why: "no_token" };
  }
  return { sessionId: hashToken(found.token) };
}

/**
 * A random uuid as one flat string. `randomUUID()` builds its result from ~13 concatenated pieces
 * that V8 keeps as a tree (~450 bytes for as long as the socket lives); the copy is 56 bytes.
 */
function flatUuid(): string {
  return Buffer.from(randomUUID(), "latin1").toString("latin1");
}

function refuse(res: HttpResponse, refusal: Refusal, deps: UpgradeDeps): void {
  deps.metrics.upgradeRefused(refusal.code);
  deps.logger.info({ event: "ws_upgrade_refused", status: refusal.status, reason: refusal.why });
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  res.writeStatus(`${refusal.status} ${STATUS_CODES[refusal.status]}`);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.writeHeader(name, value);
  res.writeHeader("content-type", "application/json; charset=utf-8");
  res.end(body);
}
