import type { HttpRequest, HttpResponse, TemplatedApp } from "uWebSockets.js";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { type Clock, realClock } from "@clofri/actors";
import { AppError } from "../app-error.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import { answerOtherSpelling, spellingOf } from "./canonical-path.ts";
import { errorReply } from "./error-reply.ts";
import { RequestBody } from "./request-body.ts";
import { isMethod, type Reply, type Request, type Router } from "./router.ts";

export interface HttpEdgeOptions {
  router: Router;
  logger: Logger;
  /** A function gives each path its own cap. */
  maxBodyBytes: number | ((path: string) => number);
  trustProxy: boolean;
  /** Sent on every response (security headers); a reply's own headers win. */
  defaultHeaders: Readonly<Record<string, string>>;
  /** Runs before the handler; throw an AppError to refuse the request (rate limits). */
  beforeHandle?: (request: { path: string; ip: string }) => void;
  /** Counts each answer by method, route pattern and status. */
  metrics?: GatewayMetrics;
  /** Route patterns polled by probes (`/health`): their access lines are debug, not info. */
  quietRoutes?: ReadonlySet<string>;
  /** Runs the body deadline; tests pass a ManualClock. */
  clock?: Clock;
  /** A body must arrive in full within this long of the request's headers, else 408. */
  bodyTimeoutMs?: number;
}

export interface HttpEdge {
  /** Requests received and not yet answered or aborted; shutdown waits for this to reach 0. */
  inFlight(): number;
}

export const BODY_TIMEOUT_MS = 10_000;
const BODY_METHODS = new Set<string>(["POST", "PUT", "PATCH", "DELETE"]);
/** An incoming X-Request-Id is kept when it looks like an id (a proxy's), else one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;
/** The route label of requests no route matched (404, 405): raw paths would explode the series. */
const UNMATCHED_ROUTE = "unmatched";
const MAX_LOGGED_PATH_LENGTH = 200;

/** What is copied out of uWS's request before the first await (it is invalid after). */
interface Incoming {
  method: string;
  path: string;
  rawQuery: string;
  headers: Map<string, string>;
  ip: string;
  requestId: string;
}

/** One request and its response; `isDone`: the response may no longer be touched. */
interface Exchange {
  isDone: boolean;
  body: RequestBody | undefined;
}

/** Serves the router on every path uWS does not route otherwise (the WebSocket route is separate). */
export function mountHttp(app: TemplatedApp, options: HttpEdgeOptions): HttpEdge {
  let inFlight = 0;
  app.any("/*", (res, req) => {
    inFlight++;
    const exchange: Exchange = { isDone: false, body: undefined };
    res.onAborted(() => {
      exchange.isDone = true;
      // A handler awaiting the body would otherwise wait forever, and the request never leave.
      exchange.body?.abort();
    });
    void handle(res, req, exchange, options).finally(() => {
      exchange.body?.dispose();
      inFlight--;
    });
  });
  return { inFlight: () => inFlight };
}

async function handle(
  res: HttpResponse,
  req: HttpRequest,
  exchange: Exchange,
  options: HttpEdgeOptions,
): Promise<void> {
  const incoming = copyRequest(res, req, options.trustProxy);
  const { method, path, headers, requestId } = incoming;
  const startedAt = performance.now();
  if (BODY_METHODS.has(method)) {
    const { maxBodyBytes } = options;
    exchange.body = new RequestBody(res, Number(headers.get("content-length") ?? "0"), {
      maxBytes: typeof maxBodyBytes === "number" ? maxBodyBytes : maxBodyBytes(path),
      timeoutMs: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS,
      clock: options.clock ?? realClock,
    });
  }
  const extraHeaders: Array<[string, string]> = [];
  const answered = await answer(incoming, exchange.body, extraHeaders, options);
  if (exchange.isDone) return;
  const reply =
    extraHeaders.length > 0 ? withHeaders(answered.reply, extraHeaders) : answered.reply;
  // Answering before the whole body was read (or after refusing it): close the connection, or the
  // rest of the body would be taken as the next request.
  const shouldClose = exchange.body !== undefined && !exchange.body.isReadInFull;
  res.cork(() => writeReply(res, reply, method, requestId, options.defaultHeaders, shouldClose));
  exchange.isDone = true;
  const durationMs = performance.now() - startedAt;
  const { route } = answered;
  const methodLabel = isMethod(method) ? method : "other";
  options.metrics?.httpRequest(methodLabel, route, reply.status, durationMs / 1000);
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

function copyRequest(res: HttpResponse, req: HttpRequest, trustProxy: boolean): Incoming {
  const headers = new Map<string, string>();
  req.forEach((key, value) => {
    headers.set(key, value);
  });
  const incomingId = headers.get("x-request-id");
  return {
    method: req.getMethod().toUpperCase(),
    path: req.getUrl(),
    rawQuery: req.getQuery() ?? "",
    headers,
    ip: clientIp(res, headers, trustProxy),
    requestId:
      incomingId !== undefined && SANE_REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
  };
}

/** The reply and the route pattern it came from (for metrics and logs). */
async function answer(
  incoming: Incoming,
  body: RequestBody | undefined,
  extraHeaders: Array<[string, string]>,
  options: HttpEdgeOptions,
): Promise<{ reply: Reply; route: string }> {
  const { method, path, headers, ip, requestId } = incoming;
  let route = UNMATCHED_ROUTE;
  try {
    if (!isMethod(method)) throw new AppError("method_not_allowed", `${method} is not supported`);
    // Before the budget and the router, which both read this one spelling of the path.
    const spelling = spellingOf(path);
    if (spelling.kind !== "canonical")
      return { reply: answerOtherSpelling(method, path, incoming.rawQuery, spelling), route };
    const match = options.router.match(method, path);
    if (match.ok) route = match.pattern;
    options.beforeHandle?.({ path, ip });
    if (!match.ok) throw match.error;
    let log: Logger | undefined;
    const request: Request = {
      method,
      path,
      query: new URLSearchParams(incoming.rawQuery),
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
    return { reply: await match.handler(request), route };
  } catch (error) {
    return { reply: errorReply(error, options.logger, requestId), route };
  }
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

async function parseJson(
  body: RequestBody | undefined,
  headers: Map<string, string>,
): Promise<unknown> {
  if (!body) throw new AppError("invalid_request", "this request has no body");
  const read = await body.read;
  if (!read.ok) throw read.error;
  const { bytes } = read;
  const type = headers.get("content-type") ?? "";
  if (bytes.length > 0 && !type.toLowerCase().startsWith("application/json")) {
    throw new AppError("unsupported_media_type", "expected content-type application/json");
  }
  if (bytes.length === 0) throw new AppError("invalid_request", "expected a JSON body");
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new AppError("invalid_request", "the body is not valid JSON", { cause: error });
  }
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
