import assert from "node:assert/strict";
import { afterEach, beforeEach, mock } from "node:test";
import type { HelloFrame } from "@clofri/protocol";
import { INITIAL_STATE } from "../../state/app-state.ts";
import { app } from "../../state/store.ts";
import { groupSummary } from "../../state/testing/frame-fixture.ts";
import { connection } from "../connection-signal.ts";
import { INITIAL_CONNECTION } from "../reconnect.ts";
import { SocketClient } from "../socket-client.ts";

// The socket client's tests run it against a scripted server: a fake WebSocket and just enough
// of a page, with timers the tests drive.

export class FakeSocket extends EventTarget {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.all.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(code = 1000): void {
    this.drop(code);
  }
  /** The server's side. */
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  receive(frame: object): void {
    this.dispatchEvent(Object.assign(new Event("message"), { data: JSON.stringify(frame) }));
  }
  drop(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }
  framesOf(type: string): Record<string, unknown>[] {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** What a browser reports for a socket that went without a close frame. */
export const ABNORMAL_CLOSURE = 1006;
export const G = "00000000-0000-4000-8000-0000000000f1";
export const ME = "00000000-0000-4000-8000-00000000000a";
export const hello: HelloFrame = {
  type: "hello",
  user: { id: ME, displayName: "Alex", avatarUrl: null },
  friends: [],
  groups: [groupSummary()],
  heartbeatMs: 15_000,
  limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
  serverTime: Date.now(),
};
const retention = { maxMessages: 50, maxAgeMs: 86_400_000 };

/** How often the client sent the person to sign in, and what the server says of the session. */
export const page = {
  signedOut: 0,
  sessionVerdict: "valid" as "valid" | "invalid" | "unknown",
};

/** Before each test of the file: fresh state, a fake page and WebSocket, mocked timers. */
export function useScriptedPage(): void {
  beforeEach(() => {
    mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
    FakeSocket.all = [];
    page.signedOut = 0;
    page.sessionVerdict = "valid";
    app.value = INITIAL_STATE;
    connection.value = INITIAL_CONNECTION;
    const window = new EventTarget();
    Object.assign(globalThis, {
      WebSocket: FakeSocket,
      window: Object.assign(window, { location: { protocol: "http:", host: "localhost:3000" } }),
      document: Object.assign(new EventTarget(), { visibilityState: "visible" }),
    });
  });

  afterEach(() => {
    mock.timers.reset();
  });
}

export function newClient(): SocketClient {
  return new SocketClient({
    onSignedOut: () => {
      page.signedOut += 1;
    },
    checkSession: async () => page.sessionVerdict,
  });
}

export function latest(): FakeSocket {
  const socket = FakeSocket.all.at(-1);
  assert.ok(socket, "no socket was opened");
  return socket;
}

export function connect(client: SocketClient): FakeSocket {
  client.start();
  const socket = latest();
  socket.open();
  socket.receive(hello);
  return socket;
}

export function joinAnswer(socket: FakeSocket, epoch: string, seqs: number[], expired = 0): void {
  const join = socket.framesOf("join").at(-1);
  assert.ok(join);
  socket.receive({
    type: "group_state",
    ref: join.ref,
    group: G,
    epoch,
    members: [],
    messages: seqs.map((seq) => someonesMessage(seq)),
    expired,
    retention,
  });
}

/** A client connected and in the room G, whose join the server answered with these messages. */
export function inRoom(seqs: number[] = []): { client: SocketClient; socket: FakeSocket } {
  const client = newClient();
  const socket = connect(client);
  client.openRoom(G);
  joinAnswer(socket, "e1", seqs);
  return { client, socket };
}

/** Message `seq` of the room G, by someone else. */
export function someonesMessage(seq: number) {
  return {
    id: `m${seq}`,
    group: G,
    seq,
    userId: "someone",
    displayName: "Sam",
    text: `line ${seq}`,
    ts: Date.now(),
    key: `k${seq}`,
  };
}
