import { AppError } from "../app-error.ts";
import type { Sessions, ValidSession } from "../auth/sessions.ts";
import { findToken } from "./credentials.ts";
import type { Request } from "./router.ts";
import { sessionCookie } from "./session-cookie.ts";

export interface Authenticated extends ValidSession {
  token: string;
  /** Cookie-authenticated requests are subject to the Origin check; Bearer ones are not. */
  via: "cookie" | "bearer";
}

/**
 * A present Origin must be the app's own. Used on its own for unauthenticated posts (sign-in), and
 * required (not merely checked when present) for cookie-authenticated state changes.
 */
export function checkOrigin(
  headers: ReadonlyMap<string, string>,
  appOrigin: string,
  isRequired: boolean,
): void {
  const origin = headers.get("origin");
  if (origin === undefined) {
    if (isRequired) throw new AppError("forbidden", "this request needs an Origin header");
    return;
  }
  if (origin !== appOrigin) throw new AppError("forbidden", "cross-origin request refused");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export class RequestAuth {
  readonly #sessions: Sessions;
  readonly #appOrigin: () => string;

  constructor(sessions: Sessions, appOrigin: () => string) {
    this.#sessions = sessions;
    this.#appOrigin = appOrigin;
  }

  /** The signed-in caller, or 401; 403 for a cookie-authenticated state change from another origin. */
  async require(request: Request): Promise<Authenticated> {
    const auth = await this.optional(request);
    if (!auth) throw new AppError("unauthorized", "sign in first");
    return auth;
  }

  async optional(request: Request): Promise<Authenticated | undefined> {
    const found = findToken(request.headers);
    if (!found) return undefined;
    if (found.via === "cookie" && !SAFE_METHODS.has(request.method)) {
      checkOrigin(request.headers, this.#appOrigin(), true);
    }
    let session: ValidSession | undefined;
    try {
      session = await this.#sessions.validate(found.token, {
        // The server slid the session's expiry: slide the browser's cookie with it.
        onRenewed: () => {
          if (found.via === "cookie") {
            request.addResponseHeader("set-cookie", sessionCookie(found.token, this.#appOrigin()));
          }
        },
      });
    } catch (error) {
      throw new AppError("unavailable", "the database is unavailable; try again shortly", {
        cause: error,
      });
    }
    return session ? { ...session, ...found } : undefined;
  }
}
