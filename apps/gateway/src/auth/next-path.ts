// Where a person goes once signed in: a page of the web app, as a path on this origin. Anything
// else (another origin, "//host", a backslash, a query, an API or sign-in path) is dropped, so a
// sign-in link or an OAuth round trip can never become an open redirect.
const APP_PAGE =
  /^\/(?:friends|profile|g\/[0-9a-f-]{36}(?:\/settings)?|add\/[0-9A-Za-z-]{1,32}|join\/[0-9A-Za-z]{1,32})?$/;

/** The path when it names one of the app's own pages (`/join/CODE`, `/add/CODE`, …), else undefined. */
export function appPagePath(raw: string | null | undefined): string | undefined {
  return raw && APP_PAGE.test(raw) ? raw : undefined;
}
