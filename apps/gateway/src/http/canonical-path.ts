import { AppError } from "../app-error.ts";
import type { Reply } from "./router.ts";

// Every resource has one spelling. The rate limit, the router, the logs and the metrics read the
// same path, so a path spelled another way (`//api/…`, `/./api/…`, `/api/groups/`) never reaches a
// route: mending it in one place and not another is how `//api` skipped the budget.

/** A segment that is `.` or `..`, written out or percent-encoded (`%2e`, `.%2E`). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const DOUBLE_DOT_SEGMENT = /^(?:\.|%2e){2}$/i;
/** A separator in disguise: an encoded slash, or a backslash that some clients read as a slash. */
const HIDDEN_SEPARATOR = /%2f|%5c|\\/i;

export type PathSpelling =
  | { kind: "canonical" }
  /** Another spelling of `canonical`: empty or dot segments, or a trailing slash. */
  | { kind: "other"; canonical: string }
  /** Names nothing: no leading slash, or a slash or backslash hidden in a segment. */
  | { kind: "refused"; reason: string };

/**
 * Whether `path` (as the request line spells it, without the query) is the one spelling of what
 * it names: it starts with `/`, has no empty segment (`//`, a trailing `/`), no `.` or `..`
 * segment, and no encoded slash or backslash. The root `/` is canonical.
 */
export function spellingOf(path: string): PathSpelling {
  if (!path.startsWith("/")) return { kind: "refused", reason: "a path starts with /" };
  if (HIDDEN_SEPARATOR.test(path)) {
    return { kind: "refused", reason: "a path has no backslash and no encoded slash" };
  }
  const segments = path.slice(1).split("/");
  if (path === "/" || segments.every((s) => s !== "" && !DOT_SEGMENT.test(s))) {
    return { kind: "canonical" };
  }
  const kept: string[] = [];
  for (const segment of segments) {
    if (DOUBLE_DOT_SEGMENT.test(segment)) kept.pop();
    else if (segment !== "" && !DOT_SEGMENT.test(segment)) kept.push(segment);
  }
  return { kind: "other", canonical: `/${kept.join("/")}` };
}

/**
 * Reads (GET, HEAD) of another spelling of a path are sent to its one spelling, which is then
 * routed and budgeted like any request; anything else is a 404 that names the one spelling.
 */
export function answerOtherSpelling(
  method: string,
  path: string,
  rawQuery: string,
  spelling: Exclude<PathSpelling, { kind: "canonical" }>,
): Reply {
  if (spelling.kind === "refused") {
    throw new AppError("not_found", `no route for ${path} (${spelling.reason})`);
  }
  if (method === "GET" || method === "HEAD") {
    const location = rawQuery === "" ? spelling.canonical : `${spelling.canonical}?${rawQuery}`;
    return { status: 308, headers: { location } };
  }
  throw new AppError(
    "not_found",
    `no route for ${path} (its one spelling is ${spelling.canonical})`,
  );
}
