import type { HttpResponse } from "uWebSockets.js";
import type { Clock } from "@clofri/actors";
import { AppError } from "../app-error.ts";

export type Body = { ok: true; bytes: Buffer } | { ok: false; error: AppError };

export interface RequestBodyOptions {
  maxBytes: number;
  /** The whole body must arrive within this long of the request's headers. */
  timeoutMs: number;
  clock: Clock;
}

/**
 * A request's body, read as it arrives. It settles exactly once (in full, too large, timed out or
 * aborted), so nobody waits forever; it never rejects, as a rejection nobody awaits would crash.
 */
export class RequestBody {
  readonly read: Promise<Body>;
  #result: Body | undefined;
  #settle: (body: Body) => void = () => {};
  #timer: unknown;
  readonly #clock: Clock;

  /** Starts reading at once: uWS drops chunks that arrive before onData is attached. */
  constructor(res: HttpResponse, declaredBytes: number, options: RequestBodyOptions) {
    this.#clock = options.clock;
    this.read = new Promise((resolve) => {
      this.#settle = resolve;
    });
    const { maxBytes, timeoutMs } = options;
    if (declaredBytes > maxBytes) {
      this.#finish({ ok: false, error: tooLarge(maxBytes) });
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#finish({ ok: false, error: timedOut(timeoutMs) });
    }, timeoutMs);
    this.#clock.setKeepAlive?.(this.#timer, false);
    this.#readChunks(res, maxBytes);
  }

  /** The whole body arrived and fit: the connection may serve another request after this one. */
  get isReadInFull(): boolean {
    return this.#result?.ok === true;
  }

  /** The client went away: whoever waits for the body gets an error instead of waiting forever. */
  abort(): void {
    this.#finish({
      ok: false,
      error: new AppError("invalid_request", "the client closed the connection mid-body"),
    });
  }

  /** The exchange is over: the deadline no longer matters. */
  dispose(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #readChunks(res: HttpResponse, maxBytes: number): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (this.#result !== undefined) return;
      size += chunk.byteLength;
      // Stops at the cap, so an oversize body costs at most maxBytes of memory.
      if (size > maxBytes) {
        this.#finish({ ok: false, error: tooLarge(maxBytes) });
        return;
      }
      // uWS reuses the chunk's memory after this callback returns: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) this.#finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    });
  }

  #finish(body: Body): void {
    if (this.#result !== undefined) return;
    this.#result = body;
    this.dispose();
    this.#settle(body);
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("too_large", `request body is larger than ${maxBytes} bytes`);
}

function timedOut(timeoutMs: number): AppError {
  return new AppError(
    "request_timeout",
    `the request body did not arrive within ${timeoutMs / 1000} s`,
  );
}
