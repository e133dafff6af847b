import { parseCookies } from "./cookies.ts";
import { SESSION_COOKIE } from "./session-cookie.ts";

/** Where a client's session token is: a Bearer header or the session cookie (Bearer wins). */
export function findToken(
  headers: ReadonlyMap<string, string>,
): { token: string; via: "cookie" | "bearer" } | undefined {
  const authorization = headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) {
    return { token: authorization.slice("bearer ".length).trim(), via: "bearer" };
  }
  const cookie = parseCookies(headers.get("cookie")).get(SESSION_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : undefined;
}
