import { AppError, type AppErrorCode } from "../app-error.ts";
import type { Logger } from "../obs/logger.ts";
import type { Reply } from "./router.ts";

/** The status each error code is answered with: the one place that knows they are HTTP. */
const STATUS: Readonly<Record<AppErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** `{error: {code, message}}` with its status for an AppError; anything else is a bug: 500, logged. */
export function errorReply(error: unknown, logger: Logger, requestId: string): Reply {
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined) {
      headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    }
    return {
      status: STATUS[error.code],
      headers,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  logger.error({ event: "http_internal_error", requestId, err: error });
  return {
    status: STATUS.internal,
    body: { error: { code: "internal", message: "something went wrong on our side" } },
  };
}
