import { SESSION_MAX_AGE_MS } from "../tokens.ts";
import { serializeCookie } from "./cookies.ts";

export const SESSION_COOKIE = "clofri_session";

export function sessionCookie(token: string, appOrigin: string): string {
  return serializeCookie(SESSION_COOKIE, token, {
    maxAgeSeconds: SESSION_MAX_AGE_MS / 1000,
    isSecure: appOrigin.startsWith("https:"),
  });
}

export function clearedSessionCookie(appOrigin: string): string {
  return serializeCookie(SESSION_COOKIE, "", {
    maxAgeSeconds: 0,
    isSecure: appOrigin.startsWith("https:"),
  });
}
