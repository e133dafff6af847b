import { AppError } from "../app-error.ts";
import type { Logger } from "../obs/logger.ts";

/** The methods the API knows: any other is answered 405 before routing. */
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

export type Method = (typeof METHODS)[number];

export function isMethod(text: string): text is Method {
  return KNOWN_METHODS.has(text);
}

/** What a handler sees: everything copied out of uWS's request synchronously, plus the body. */
export interface Request {
  readonly method: Method;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: ReadonlyMap<string, string>;
  readonly ip: string;
  readonly params: Readonly<Record<string, string>>;
  /** The request's id (`X-Request-Id`), for log lines about it. */
  readonly id: string;
  /** The gateway's logger with this request's id on every line. */
  readonly log: Logger;
  /** The parsed JSON body; rejects with an AppError for a missing, malformed or oversize body. */
  json(): Promise<unknown>;
  /** Adds a header to whatever the handler answers, errors included (a renewed session cookie). */
  addResponseHeader(name: string, value: string): void;
}

export interface Reply {
  status: number;
  /** An array writes the header once per value (several Set-Cookie headers). */
  headers?: Record<string, string | readonly string[]>;
  /** A string or bytes is sent as is (set content-type yourself); anything else as JSON. */
  body?: unknown;
}

export type Handler = (request: Request) => Reply | Promise<Reply>;

interface Route {
  method: Method;
  pattern: string;
  segments: string[];
  handler: Handler;
}

export type Match =
  | { ok: true; handler: Handler; params: Record<string, string>; pattern: string }
  | { ok: false; error: AppError };

const FALLBACK_PATTERN = "/*";

/** Path patterns like `/api/groups/:id/members/:userId`; a trailing `*` matches the rest. */
export class Router {
  readonly #routes: Route[] = [];
  #fallback: { handler: Handler; isServed: (path: string) => boolean } | undefined;

  on(method: Method, pattern: string, handler: Handler): this {
    this.#routes.push({ method, pattern, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  get(pattern: string, handler: Handler): this {
    return this.on("GET", pattern, handler);
  }

  post(pattern: string, handler: Handler): this {
    return this.on("POST", pattern, handler);
  }

  patch(pattern: string, handler: Handler): this {
    return this.on("PATCH", pattern, handler);
  }

  delete(pattern: string, handler: Handler): this {
    return this.on("DELETE", pattern, handler);
  }

  /**
   * Answers GET and HEAD on paths no route knows and `isServed` accepts (the web client's pages);
   * its pattern reads `/*`. Other paths keep their 404.
   */
  fallback(handler: Handler, isServed: (path: string) => boolean): this {
    this.#fallback = { handler, isServed };
    return this;
  }

  /** `path` is canonical (canonical-path.ts): an empty segment matches nothing. */
  match(method: Method, path: string): Match {
    const parts = path === "/" ? [] : path.slice(1).split("/");
    let isPathKnown = false;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      const isHeadOfGet = method === "HEAD" && route.method === "GET";
      if (route.method === method || isHeadOfGet)
        return { ok: true, handler: route.handler, params, pattern: route.pattern };
      isPathKnown = true;
    }
    const fallback = this.#fallback;
    const isRead = method === "GET" || method === "HEAD";
    if (!isPathKnown && isRead && fallback?.isServed(path)) {
      return { ok: true, handler: fallback.handler, params: {}, pattern: FALLBACK_PATTERN };
    }
    return {
      ok: false,
      error: isPathKnown
        ? new AppError("method_not_allowed", `${method} is not allowed on ${path}`)
        : new AppError("not_found", `no route for ${path}`),
    };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i] as string;
    if (segment === "*") return params;
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.startsWith(":")) {
      const value = safeDecode(part);
      if (value === undefined) return undefined;
      params[segment.slice(1)] = value;
    } else if (segment !== part) {
      return undefined;
    }
  }
  return parts.length === pattern.length ? params : undefined;
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    // A malformed escape cannot name anything we serve: treat it as no match (404).
    return undefined;
  }
}
