import type { Socket } from "node:net";
import { after, before } from "node:test";
import WebSocket from "ws";
import type { TestEngine } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway, type TestGatewayOptions } from "./harness.ts";
import { befriend, createGroup, newPeople, type Person } from "./social-harness.ts";

// A small WebSocket client for the gateway's tests, as a load-test script would write one: a
// Bearer token at the upgrade, JSON frames in and out, and waits on frames or on the close.

/** A server frame as received; tests assert on its fields. */
export interface Frame {
  type: string;
  ref?: string;
  [field: string]: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  origin?: string;
  /** Send the token as the session cookie instead of a Bearer header. */
  asCookie?: boolean;
}

const DEFAULT_WAIT_MS = 3_000;

export class WsClient {
  /** Every frame received, in order. */
  readonly received: Frame[] = [];
  readonly closed: Promise<Closed>;
  readonly #socket: WebSocket;
  readonly #taken = new Set<Frame>();
  readonly #waiters = new Set<() => void>();
  readonly #counts = new Map<string, number>();
  readonly #listeners = new Set<(frame: Frame) => void>();
  #closedWith: Closed | undefined;
  #nextRef = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data, isBinary) => {
      const frame = JSON.parse(isBinary ? "{}" : data.toString()) as Frame;
      this.received.push(frame);
      this.#counts.set(frame.type, (this.#counts.get(frame.type) ?? 0) + 1);
      for (const listener of this.#listeners) listener(frame);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        this.#closedWith = { code, reason: reason.toString() };
        resolve(this.#closedWith);
        this.#wake();
      });
    });
    socket.on("error", () => {
      // Surfaces as the close (1006) that follows; tests assert on that.
    });
  }

  /** Opens a socket as the holder of `token`; rejects with the HTTP status if it is refused. */
  static connect(
    t: Pick<TestGateway, "base" | "nextWsBase">,
    token?: string,
    options: ConnectOptions = {},
  ): Promise<WsClient> {
    const socket = new WebSocket(wsUrl(t), upgradeOptions(token, options));
    const client = new WsClient(socket);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(client));
      socket.once("unexpected-response", (_request, response) => {
        reject(new UpgradeRefused(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once("close", (code) => reject(new Error(`closed (${code}) before opening`)));
    });
  }

  /**
   * Connects, reads the hello, and checks the socket is still there with one plain heartbeat
   * (not activity, so idle and presence are unchanged). No retry: a socket the server drops is a
   * failure the test must see.
   */
  static async open(
    t: Pick<TestGateway, "base" | "nextWsBase">,
    token: string,
    options: ConnectOptions = {},
  ): Promise<{ client: WsClient; hello: Frame }> {
    const client = await WsClient.connect(t, token, options);
    const hello = await client.next("hello");
    await client.request({ type: "heartbeat" });
    return { client, hello };
  }

  /**
   * How the gateway refuses this socket: the HTTP status of a refused upgrade (401, 403, 503), or
   * the close code of a socket closed before any hello (a session confirmed after the upgrade,
   * PROTOCOL "Connection (amended)"). Throws if a hello arrives.
   */
  static async refusal(t: Pick<TestGateway, "base">, token?: string, options: ConnectOptions = {}) {
    let client: WsClient;
    try {
      client = await WsClient.connect(t, token, options);
    } catch (error) {
      if (error instanceof UpgradeRefused) return error.status;
      throw error;
    }
    // A socket that was let in gets frames instead: the first one ends the wait (no hang).
    const first = await Promise.race([
      client.closed.then(() => ({})),
      client
        .next(() => true)
        .then(
          (frame) => ({ frame }),
          () => ({}),
        ),
    ]);
    if ("frame" in first || client.received.length > 0) {
      void client.close();
      const types = client.received.map((frame) => frame.type).join(", ");
      throw new Error(`expected the socket to be refused, but it received ${types}`);
    }
    return (await client.closed).code;
  }

  get isClosed(): boolean {
    return this.#closedWith !== undefined;
  }

  send(frame: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.#socket.send(data, { binary: options.binary === true });
  }

  /** Sends these text frames in one TCP write, so that the server reads them in one turn. */
  sendTogether(texts: readonly string[]): void {
    // `ws` has no cork of its own; the net.Socket under it does (ws writes synchronously).
    const tcp = (this.#socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const text of texts) this.#socket.send(text);
    tcp.uncork();
  }

  /** Sends the frame with a fresh ref and waits for the one reply carrying that ref. */
  async request(frame: Record<string, unknown>, waitMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const ref = `r${this.#nextRef++}`;
    this.send({ ...frame, ref });
    return this.next((candidate) => candidate.ref === ref, waitMs, `the reply to ${ref}`);
  }

  /** The oldest frame not taken yet of this type (or matching this test), waiting if need be. */
  next(
    match: string | ((frame: Frame) => boolean),
    waitMs = DEFAULT_WAIT_MS,
    description = typeof match === "string" ? match : "a matching frame",
  ): Promise<Frame> {
    const isMatch = typeof match === "string" ? (frame: Frame) => frame.type === match : match;
    const take = (): Frame | undefined => {
      const found = this.received.find((frame) => !this.#taken.has(frame) && isMatch(frame));
      if (found) this.#taken.add(found);
      return found;
    };
    const received = () => `; received: ${this.received.map((frame) => frame.type).join(", ")}`;
    return this.#waitFor(take, `for ${description}`, waitMs, received);
  }

  /**
   * Waits until `condition` holds, checking it as each frame arrives: for waits over thousands
   * of frames, where `next` (which searches everything received) would cost too much.
   */
  async until(condition: () => boolean, description: string, waitMs = DEFAULT_WAIT_MS) {
    await this.#waitFor(() => condition() || undefined, `until ${description}`, waitMs);
  }

  /** Resolves with `probe`'s first defined answer, tried now and as each frame arrives. */
  #waitFor<T>(
    probe: () => T | undefined,
    waiting: string,
    waitMs: number,
    timeoutDetail: () => string = () => "",
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const answer = probe();
        if (answer !== undefined) {
          resolve(answer);
          return true;
        }
        if (this.#closedWith) {
          reject(new Error(`closed (${this.#closedWith.code}) while waiting ${waiting}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out waiting ${waiting}${timeoutDetail()}`));
      }, waitMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      this.#waiters.add(waiter);
    });
  }

  /** How many frames of this type were received so far (constant time). */
  count(type: string): number {
    return this.#counts.get(type) ?? 0;
  }

  /** Calls `listener` with every frame as it arrives (latency measurements); returns the stop. */
  onFrame(listener: (frame: Frame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Frames of this type received so far (taken or not). */
  all(type: string): Frame[] {
    return this.received.filter((frame) => frame.type === type);
  }

  /** Stops reading from the socket (a slow consumer); what the server sends piles up. */
  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  /** A clean close; resolves with what the server answered. */
  close(code = 1000): Promise<Closed> {
    if (!this.isClosed) this.#socket.close(code);
    return this.closed;
  }

  /** Drops the TCP connection without a close frame, as a lost network would. */
  terminate(): Promise<Closed> {
    if (!this.isClosed) this.#socket.terminate();
    return this.closed;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

export class UpgradeRefused extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`the upgrade was refused with HTTP ${status}`);
    this.status = status;
  }
}

/** Terminates every client still open (for `finally`/`after`). */
export async function closeAll(clients: Iterable<WsClient | undefined>): Promise<void> {
  await Promise.all([...clients].map((client) => client?.terminate()));
}

export interface SuiteGateway {
  /** Undefined when no engine is configured: the suite fails in `before`, with that message. */
  engine: TestEngine | undefined;
  env?: Record<string, string>;
  options?: TestGatewayOptions;
  /** Sockets the tests open: dropped after the suite, before the gateway closes. */
  clients?: Iterable<WsClient | undefined>;
}

/**
 * One gateway for the enclosing `describe`: started before its tests (and handed to `started`,
 * which keeps it where the tests read it), and after them its clients dropped and it closed.
 */
export function useTestGateway(suite: SuiteGateway, started: (gateway: TestGateway) => void): void {
  let gateway: TestGateway | undefined;
  before(async () => {
    if (!suite.engine) throw new Error("expected a test engine");
    gateway = await startTestGateway(suite.engine, suite.env, suite.options);
    started(gateway);
  });
  after(async () => {
    await closeAll(suite.clients ?? []);
    await gateway?.close();
  });
}

/** Waits for a condition the test cannot observe as an event, checking on every turn. */
export async function eventually(
  condition: () => boolean,
  description: string,
  waitMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const deadline = performance.now() + waitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Waits until the gateway has seen the person's sockets go, and (cluster pair) until the drop has
 * reached the other gateway, where the room's owner may run: a test may then move the rooms' clock.
 */
export async function dropSeen(t: Pick<TestGateway, "gateway">, userId: string): Promise<void> {
  await eventually(() => t.gateway.realtime.connectionsOf(userId) === 0, "the drop is seen");
  await t.gateway.crossNodeSettled?.();
}

function wsUrl(t: Pick<TestGateway, "base" | "nextWsBase">): string {
  return `${(t.nextWsBase?.() ?? t.base).replace(/^http/, "ws")}/ws`;
}

function upgradeOptions(
  token: string | undefined,
  options: ConnectOptions,
): WebSocket.ClientOptions {
  const headers: Record<string, string> = {};
  if (token !== undefined) {
    if (options.asCookie) headers.cookie = `clofri_session=${token}`;
    else headers.authorization = `Bearer ${token}`;
  }
  return {
    headers,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  };
}

// Fixtures shared by the ws-*.test.ts files.

/** Alice created a group with Bob; Carol is Alice's friend outside it; Dave knows nobody. */
export async function chatCast(t: TestGateway) {
  const [alice, bob, carol, dave] = await newPeople(t, 4);
  if (!alice || !bob || !carol || !dave) throw new Error("expected four people");
  await befriend(t, alice, bob, carol);
  const group = await createGroup(t, alice, [bob]);
  return { alice, bob, carol, dave, group };
}

/** Opens a socket for `person` and joins `groupId`, returning the client and the group_state. */
export async function joined(t: TestGateway, person: Person, groupId: string) {
  const { client, hello } = await WsClient.open(t, person.token);
  const state = await client.request({ type: "join", group: groupId });
  if (state.type !== "group_state") {
    throw new Error(`expected group_state joining, got ${JSON.stringify(state)}`);
  }
  return { client, hello, state };
}
