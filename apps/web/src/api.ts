// The REST API (docs/API.md): JSON in and out, errors as ApiError with the server's words.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterS: number | null;
  constructor(
    status: number,
    code: string,
    message: string,
    retryAfterS: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", "Can't reach Clofri right now. Check your connection.", null, {
      cause: error,
    });
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  if (response.ok) return payload as T;
  if (response.status === 401 && !path.startsWith("/auth/")) onUnauthorized();
  const retryAfter = Number(response.headers.get("retry-after"));
  throw new ApiError(
    response.status,
    payload?.error?.code ?? "http_error",
    payload?.error?.message ?? `The server answered ${response.status}.`,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/** The text to show for a failed request. */
export function problem(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfterS
        ? `Too many tries. Wait ${error.retryAfterS} s and try again.`
        : "Too many tries. Wait a little.";
    }
    return capitalise(error.message);
  }
  return "Something went wrong. Try again.";
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
