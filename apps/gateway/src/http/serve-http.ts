import type { HttpRequest, HttpResponse, TemplatedApp } from "uWebSockets.js";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import { HttpError } from "./http-error.ts";
import type { Method, Reply, Request, Router } from "./router.ts";

export interface HttpEdgeOptions {
  router: Router;
  logger: Logger;
  /** A function gives each path its own cap. */
  maxBodyBytes: number | ((path: string) => number);
  trustProxy: boolean;
  /** Sent on every response (security headers); a reply's own headers win. */
  defaultHeaders: Readonly<Record<string, string>>;
  /** Runs before the handler; throw an HttpError to refuse the request (rate limits). */
  beforeHandle?: (request: { path: string; ip: string }) => void;
  /** Counts each answer by method, route pattern and status. */
  metrics?: GatewayMetrics;
  /** Route patterns polled by probes (`/health`): their access lines are debug, not info. */
  quietRoutes?: ReadonlySet<string>;
}

export interface HttpEdge {
  /** Requests received and not yet answered or aborted; shutdown waits for this to reach 0. */
  inFlight(): number;
}

const METHODS = new Set<string>(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const BODY_METHODS = new Set<string>(["POST", "PUT", "PATCH", "DELETE"]);
/** An incoming X-Request-Id is kept when it looks like an id (a proxy's), else one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;
/** The route label of requests no route matched (404, 405): raw paths would explode the series. */
const UNMATCHED_ROUTE = "unmatched";
const MAX_LOGGED_PATH_LENGTH = 200;

/** Serves the router on every path uWS does not route otherwise (the WebSocket route is separate). */
export function mountHttp(app: TemplatedApp, options: HttpEdgeOptions): HttpEdge {
  let inFlight = 0;
  app.any("/*", (res, req) => {
    inFlight++;
    // isDone: the response may no longer be touched (answered or aborted).
    const state = { isDone: false };
    res.onAborted(() => {
      state.isDone = true;
    });
    void handle(res, req, state, options).finally(() => {
      inFlight--;
    });
  });
  return { inFlight: () => inFlight };
}

async function handle(
  res: HttpResponse,
  req: HttpRequest,
  state: { isDone: boolean },
  options: HttpEdgeOptions,
): Promise<void> {
  // uWS's req is only valid until the first await: copy everything out now.
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl();
  const query = new URLSearchParams(req.getQuery() ?? "");
  const headers = new Map<string, string>();
  req.forEach((key, value) => {
    headers.set(key, value);
  });
  const ip = clientIp(res, headers, options.trustProxy);
  const incomingId = headers.get("x-request-id");
  const requestId =
    incomingId !== undefined && SANE_REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  const startedAt = performance.now();
  const maxBodyBytes =
    typeof options.maxBodyBytes === "number" ? options.maxBodyBytes : options.maxBodyBytes(path);
  const body = BODY_METHODS.has(method) ? readBody(res, headers, maxBodyBytes) : undefined;

  const extraHeaders: Array<[string, string]> = [];
  let route = UNMATCHED_ROUTE;
  let reply: Reply;
  try {
    if (!METHODS.has(method))
      throw new HttpError("method_not_allowed", `${method} is not supported`);
    const match = options.router.match(method as Method, path);
    if (match.ok) route = match.pattern;
    options.beforeHandle?.({ path, ip });
    if (!match.ok) throw match.error;
    let log: Logger | undefined;
    const request: Request = {
      method: method as Method,
      path,
      query,
      headers,
      ip,
      params: match.params,
      id: requestId,
      get log() {
        log ??= options.logger.child({ requestId });
        return log;
      },
      json: () => parseJson(body, headers),
      addResponseHeader: (name, value) => extraHeaders.push([name, value]),
    };
    reply = await match.handler(request);
  } catch (error) {
    reply = errorReply(error, options.logger, requestId);
  }
  if (state.isDone) return;
  if (extraHeaders.length > 0) reply = withHeaders(reply, extraHeaders);
  // Answering before the whole body was read (or after refusing it): close the connection, or the
  // rest of the body would be taken as the next request.
  const shouldClose = body !== undefined && !(await isReadInFull(body));
  res.cork(() => writeReply(res, reply, method, requestId, options.defaultHeaders, shouldClose));
  state.isDone = true;
  const durationMs = performance.now() - startedAt;
  options.metrics?.httpRequest(method, route, reply.status, durationMs / 1000);
  const isQuiet = options.quietRoutes?.has(route) === true && reply.status < 500;
  // The route pattern, not the path: paths carry invite and friend codes.
  options.logger[isQuiet ? "debug" : "info"]({
    event: "http_request",
    requestId,
    method,
    route,
    ...(route === UNMATCHED_ROUTE ? { path: path.slice(0, MAX_LOGGED_PATH_LENGTH) } : {}),
    status: reply.status,
    durationMs: Math.round(durationMs * 100) / 100,
  });
}

function withHeaders(reply: Reply, extra: ReadonlyArray<[string, string]>): Reply {
  const headers: Record<string, string | readonly string[]> = { ...reply.headers };
  for (const [name, value] of extra) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return { ...reply, headers };
}

function clientIp(res: HttpResponse, headers: Map<string, string>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return Buffer.from(res.getRemoteAddressAsText()).toString();
}

type Body = { ok: true; bytes: Buffer } | { ok: false; error: HttpError };

/**
 * Starts reading at once (uWS drops chunks that arrive before onData is attached) and stops at the
 * cap, so an oversize body costs at most maxBodyBytes of memory. Never rejects: a handler may not
 * read the body at all, and a rejection nobody awaits would take the process down.
 */
function readBody(
  res: HttpResponse,
  headers: Map<string, string>,
  maxBytes: number,
): Promise<Body> {
  const declared = Number(headers.get("content-length") ?? "0");
  return new Promise((resolve) => {
    if (declared > maxBytes) {
      resolve({ ok: false, error: tooLarge(maxBytes) });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let isRefused = false;
    res.onData((chunk, isLast) => {
      if (isRefused) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        isRefused = true;
        resolve({ ok: false, error: tooLarge(maxBytes) });
        return;
      }
      // uWS reuses the chunk's memory after this callback returns: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    });
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError("too_large", `request body is larger than ${maxBytes} bytes`);
}

async function parseJson(
  body: Promise<Body> | undefined,
  headers: Map<string, string>,
): Promise<unknown> {
  if (!body) throw new HttpError("invalid_request", "this request has no body");
  const read = await body;
  if (!read.ok) throw read.error;
  const { bytes } = read;
  const type = headers.get("content-type") ?? "";
  if (bytes.length > 0 && !type.toLowerCase().startsWith("application/json")) {
    throw new HttpError("unsupported_media_type", "expected content-type application/json");
  }
  if (bytes.length === 0) throw new HttpError("invalid_request", "expected a JSON body");
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new HttpError("invalid_request", "the body is not valid JSON", { cause: error });
  }
}

async function isReadInFull(body: Promise<Body>): Promise<boolean> {
  const pending = Symbol("pending");
  const read = await Promise.race([body, Promise.resolve(pending)]);
  return read !== pending && read.ok;
}

function errorReply(error: unknown, logger: Logger, requestId: string): Reply {
  if (error instanceof HttpError) {
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined) {
      headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    }
    return {
      status: error.status,
      headers,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  logger.error({ event: "http_internal_error", requestId, err: error });
  return {
    status: 500,
    body: { error: { code: "internal", message: "something went wrong on our side" } },
  };
}

function writeReply(
  res: HttpResponse,
  reply: Reply,
  method: string,
  requestId: string,
  defaultHeaders: Readonly<Record<string, string>>,
  shouldClose: boolean,
): void {
  const headers: Record<string, string | readonly string[]> = {
    ...defaultHeaders,
    "x-request-id": requestId,
    ...reply.headers,
  };
  let payload: string | Buffer = "";
  if (typeof reply.body === "string" || Buffer.isBuffer(reply.body)) {
    payload = reply.body;
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  res.writeStatus(`${reply.status} ${STATUS_CODES[reply.status] ?? ""}`);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") res.writeHeader(name, value);
    else for (const each of value) res.writeHeader(name, each);
  }
  if (method === "HEAD") {
    // With any argument this uWS build garbles Content-Length or drops the kept-alive connection
    // on the next request: write the length ourselves. (HEAD has no body, so never shouldClose.)
    res.writeHeader("content-length", String(Buffer.byteLength(payload)));
    res.endWithoutBody();
  } else {
    res.end(payload, shouldClose);
  }
}
