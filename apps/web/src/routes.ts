// The client's routes, as a pure function of the path.
export type Route =
  | { name: "sign-in" }
  | { name: "verify" }
  | { name: "home" }
  | { name: "group"; id: string }
  | { name: "group-settings"; id: string }
  | { name: "friends" }
  | { name: "add-friend"; code: string }
  | { name: "profile" }
  | { name: "join"; code: string }
  | { name: "not-found" };

export function matchRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0) return { name: "home" };
  if (first === "sign-in" && parts.length === 1) return { name: "sign-in" };
  if (first === "sign-in" && second === "verify" && parts.length === 2) return { name: "verify" };
  if (first === "friends" && parts.length === 1) return { name: "friends" };
  if (first === "profile" && parts.length === 1) return { name: "profile" };
  if (first === "g" && second && parts.length === 2) return { name: "group", id: second };
  if (first === "g" && second && third === "settings" && parts.length === 3) {
    return { name: "group-settings", id: second };
  }
  if (first === "add" && second && parts.length === 2) return { name: "add-friend", code: second };
  if (first === "join" && second && parts.length === 2) return { name: "join", code: second };
  return { name: "not-found" };
}

/** Sign-in pages work without a session; every other page needs one. */
export function isPublic(route: Route): boolean {
  return route.name === "sign-in" || route.name === "verify";
}

// The same allow-list as the gateway's appPagePath (apps/gateway/src/auth/next-path.ts): the pages
// a sign-in may continue to. Never another origin, an API path or a sign-in page.
const APP_PAGE =
  /^\/(?:friends|profile|g\/[0-9a-f-]{36}(?:\/settings)?|add\/[0-9A-Za-z-]{1,32}|join\/[0-9A-Za-z]{1,32})?$/;

/** The path when it is one of the app's own pages to continue to after signing in, else undefined. */
export function appPagePath(path: string | null | undefined): string | undefined {
  const page = path && path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return page && APP_PAGE.test(page) ? page : undefined;
}
