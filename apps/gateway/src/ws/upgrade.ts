import type { HttpRequest, HttpResponse, us_socket_context_t } from "uWebSockets.js";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { findToken } from "../auth/request-auth.ts";
import type { Sessions, ValidSession } from "../auth/sessions.ts";
import { SECURITY_HEADERS } from "../http/security-headers.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { SocketData } from "./connection.ts";
import type { UserDirectory, UserState } from "./user-directory.ts";

export interface UpgradeDeps {
  sessions: Sessions;
  directory: UserDirectory;
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

const UNAUTHORIZED = { status: 401, code: "unauthorized", message: "sign in first" } as const;
const UNAVAILABLE = {
  status: 503,
  code: "unavailable",
  message: "the server cannot sign you in right now; try again shortly",
} as const;

/**
 * `GET /ws`: authenticated before the socket exists. 403 for a foreign Origin, 401 without a
 * valid session, 503 when the database is needed and does not answer; else the upgrade, with
 * the user's state loaded (and held until the socket opens).
 */
export function upgradeHandler(deps: UpgradeDeps) {
  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    // req is valid only until the first await: copy what is needed now.
    const headers = new Map<string, string>();
    req.forEach((key, value) => {
      headers.set(key, value);
    });
    // isDone: the response may no longer be touched (aborted, refused or upgraded).
    const response = { isDone: false };
    res.onAborted(() => {
      response.isDone = true;
    });
    upgrade(res, headers, context, response, deps).catch((error: unknown) => {
      deps.logger.error({ event: "ws_upgrade_failed", err: error });
      refuse(res, response, { ...UNAVAILABLE, why: "internal_error" }, deps);
    });
  };
}

async function upgrade(
  res: HttpResponse,
  headers: ReadonlyMap<string, string>,
  context: us_socket_context_t,
  response: { isDone: boolean },
  deps: UpgradeDeps,
): Promise<void> {
  if (!deps.isAccepting())
    return refuse(res, response, { ...UNAVAILABLE, why: "shutting_down" }, deps);
  const origin = headers.get("origin");
  if (origin !== undefined && origin !== deps.appOrigin()) {
    const refusal: Refusal = {
      status: 403,
      code: "forbidden",
      message: "cross-origin WebSocket refused",
      why: "foreign_origin",
    };
    return refuse(res, response, refusal, deps);
  }
  const found = findToken(headers);
  if (found === undefined) return refuse(res, response, { ...UNAUTHORIZED, why: "no_token" }, deps);

  let session: ValidSession | undefined;
  let state: UserState | undefined;
  try {
    session = await deps.sessions.validate(found.token);
    if (session === undefined) {
      return refuse(res, response, { ...UNAUTHORIZED, why: "invalid_session" }, deps);
    }
    state = await deps.directory.acquire(session.userId);
  } catch (error) {
    deps.logger.warn({ event: "ws_upgrade_unavailable", err: error });
    return refuse(res, response, { ...UNAVAILABLE, why: "database_unavailable" }, deps);
  }
  if (state === undefined) {
    const refusal = { ...UNAUTHORIZED, why: "user_gone" };
    return refuse(res, response, refusal, deps, session.userId);
  }

  const userId = session.userId;
  try {
    if (response.isDone) return;
    if (!deps.isAccepting()) {
      return refuse(res, response, { ...UNAVAILABLE, why: "shutting_down" }, deps, userId);
    }
    const data: SocketData = { connId: flatUuid(), userId, sessionId: session.sessionId };
    response.isDone = true;
    res.cork(() => {
      res.upgrade(
        data,
        headers.get("sec-websocket-key") ?? "",
        headers.get("sec-websocket-protocol") ?? "",
        headers.get("sec-websocket-extensions") ?? "",
        context,
      );
    });
  } finally {
    // The open handler took its own hold on the state.
    deps.directory.release(userId);
  }
}

/**
 * A random uuid as one flat string. `randomUUID()` builds its result from ~13 concatenated pieces
 * that V8 keeps as a tree (~450 bytes for as long as the socket lives); the copy is 56 bytes.
 */
function flatUuid(): string {
  return Buffer.from(randomUUID(), "latin1").toString("latin1");
}

function refuse(
  res: HttpResponse,
  response: { isDone: boolean },
  refusal: Refusal,
  deps: Pick<UpgradeDeps, "logger" | "metrics">,
  userId?: string,
): void {
  if (response.isDone) return;
  response.isDone = true;
  deps.metrics.upgradeRefused(refusal.code);
  deps.logger.info({
    event: "ws_upgrade_refused",
    status: refusal.status,
    reason: refusal.why,
    userId,
  });
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  res.cork(() => {
    res.writeStatus(`${refusal.status} ${STATUS_CODES[refusal.status]}`);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.writeHeader(name, value);
    res.writeHeader("content-type", "application/json; charset=utf-8");
    res.end(body);
  });
}
