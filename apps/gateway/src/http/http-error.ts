/** Every error an HTTP caller can see; the edge maps it to `{error: {code, message}}` and a status. */
export const HTTP_ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS;

export class HttpError extends Error {
  override name = "HttpError";
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: HttpErrorCode,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = HTTP_ERROR_STATUS[code];
    this.retryAfterMs = options.retryAfterMs;
  }
}
