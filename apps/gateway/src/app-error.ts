/** What a caller may be told went wrong; http/error-reply.ts gives each code its status. */
export type AppErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "request_timeout"
  | "conflict"
  | "gone"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "internal"
  | "unavailable";

/**
 * A failure the caller caused or must hear about, free of any transport: the domain throws it,
 * the edge that answers maps it (a bug is any other error, answered as `internal`).
 */
export class AppError extends Error {
  override name = "AppError";
  readonly code: AppErrorCode;
  /** How long the caller should wait before trying again (rate limits). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: AppErrorCode,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }
}
