import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";
import type { HelloFrame } from "@clofri/protocol";
import { CLOSE_CODES } from "@clofri/protocol/codes";
import { INITIAL_STATE, roomOf } from "../state/app-state.ts";
import { app } from "../state/store.ts";
import { groupSummary } from "../state/testing/frame-fixture.ts";
import { connection } from "./connection-signal.ts";
import { INITIAL_CONNECTION } from "./reconnect.ts";
import { SocketClient } from "./socket-client.ts";

// The socket client against a scripted server: a fake WebSocket and just enough of a page.

class FakeSocket extends EventTarget {
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
const ABNORMAL_CLOSURE = 1006;
const G = "00000000-0000-4000-8000-0000000000f1";
const ME = "00000000-0000-4000-8000-00000000000a";
const hello: HelloFrame = {
  type: "hello",
  user: { id: ME, displayName: "Alex", avatarUrl: null },
  friends: [],
  groups: [groupSummary()],
  heartbeatMs: 15_000,
  limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
  serverTime: Date.now(),
};
const retention = { maxMessages: 50, maxAgeMs: 86_400_000 };

let signedOut = 0;
let sessionVerdict: "valid" | "invalid" | "unknown" = "valid";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  FakeSocket.all = [];
  signedOut = 0;
  sessionVerdict = "valid";
  app.value = INITIAL_STATE;
  connection.value = INITIAL_CONNECTION;
  const page = new EventTarget();
  Object.assign(globalThis, {
    WebSocket: FakeSocket,
    window: Object.assign(page, { location: { protocol: "http:", host: "localhost:3000" } }),
    document: Object.assign(new EventTarget(), { visibilityState: "visible" }),
  });
});

afterEach(() => {
  mock.timers.reset();
});

function newClient(): SocketClient {
  return new SocketClient({
    onSignedOut: () => {
      signedOut += 1;
    },
    checkSession: async () => sessionVerdict,
  });
}

function latest(): FakeSocket {
  const socket = FakeSocket.all.at(-1);
  assert.ok(socket, "no socket was opened");
  return socket;
}

function connect(client: SocketClient): FakeSocket {
  client.start();
  const socket = latest();
  socket.open();
  socket.receive(hello);
  return socket;
}

function joinAnswer(socket: FakeSocket, epoch: string, seqs: number[], expired = 0): void {
  const join = socket.framesOf("join").at(-1);
  assert.ok(join);
  socket.receive({
    type: "group_state",
    ref: join.ref,
    group: G,
    epoch,
    members: [],
    messages: seqs.map((seq) => ({
      id: `m${seq}`,
      group: G,
      seq,
      userId: "someone",
      displayName: "Sam",
      text: `line ${seq}`,
      ts: Date.now(),
      key: `k${seq}`,
    })),
    expired,
    retention,
  });
}

test("connects to /ws on the page's host and heartbeats at hello's pace", () => {
  const client = newClient();
  const socket = connect(client);
  assert.equal(socket.url, "ws://localhost:3000/ws");
  assert.equal(connection.value.phase, "open");
  mock.timers.tick(15_000);
  assert.equal(socket.framesOf("heartbeat").length, 1);
  mock.timers.tick(15_000);
  assert.equal(socket.framesOf("heartbeat").length, 2);
  client.stop();
});

test("after a drop it reconnects by itself and rejoins the room where it left off", () => {
  const client = newClient();
  const first = connect(client);
  client.openRoom(G);
  joinAnswer(first, "e1", [1, 2, 3]);
  first.drop(ABNORMAL_CLOSURE);
  assert.equal(connection.value.phase, "waiting");
  mock.timers.tick(10_000);
  const second = latest();
  assert.notEqual(second, first);
  second.open();
  second.receive(hello);
  const rejoin = second.framesOf("join")[0];
  assert.deepEqual(
    { group: rejoin?.group, epoch: rejoin?.epoch, afterSeq: rejoin?.afterSeq },
    { group: G, epoch: "e1", afterSeq: 3 },
  );
  joinAnswer(second, "e1", [5], 1);
  const room = roomOf(app.value, G);
  assert.deepEqual(
    room.messages.map((m) => m.seq),
    [1, 2, 3, 5],
  );
  assert.equal(room.expiredMissed, 1);
  client.stop();
});

test("4001 sends the person to sign in and never reconnects", () => {
  const client = newClient();
  connect(client).drop(CLOSE_CODES.sessionEnded);
  assert.equal(signedOut, 1);
  mock.timers.tick(60_000);
  assert.equal(FakeSocket.all.length, 1);
});

test("a socket refused before hello asks about the session instead of looping", async () => {
  sessionVerdict = "invalid";
  const client = newClient();
  client.start();
  latest().drop(ABNORMAL_CLOSURE);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(signedOut, 1);
  mock.timers.tick(60_000);
  assert.equal(FakeSocket.all.length, 1);
});

test("a send made while disconnected goes out after the rejoin, once, with its key", () => {
  const client = newClient();
  const first = connect(client);
  client.openRoom(G);
  joinAnswer(first, "e1", []);
  first.drop(ABNORMAL_CLOSURE);
  client.send(G, "are you there?");
  const [pending] = roomOf(app.value, G).pending;
  assert.equal(pending?.state, "pending");
  mock.timers.tick(10_000);
  const second = latest();
  second.open();
  second.receive(hello);
  assert.equal(second.framesOf("send").length, 0, "not before the room is joined again");
  joinAnswer(second, "e1", []);
  const sends = second.framesOf("send");
  assert.deepEqual(
    sends.map((s) => [s.text, s.key]),
    [["are you there?", pending?.key]],
  );
  second.receive({ type: "ack", ref: sends[0]?.ref, id: "m9", ts: Date.now() });
  second.receive({
    type: "message",
    id: "m9",
    group: G,
    seq: 1,
    userId: ME,
    displayName: "Alex",
    text: "are you there?",
    ts: Date.now(),
    key: pending?.key,
  });
  assert.deepEqual(roomOf(app.value, G).pending, []);
  client.stop();
});

test("a rate-limited send fails with the wait, and retry reuses the key", () => {
  const client = newClient();
  const socket = connect(client);
  client.openRoom(G);
  joinAnswer(socket, "e1", []);
  client.send(G, "hi");
  const first = socket.framesOf("send")[0];
  socket.receive({
    type: "error",
    ref: first?.ref,
    code: "rate_limited",
    message: "too many",
    retryAfterMs: 1_500,
  });
  const [failed] = roomOf(app.value, G).pending;
  assert.equal(failed?.state, "failed");
  assert.equal(failed?.error, "Slow down: you can send again in 2 s.");
  client.retry(G, failed?.key ?? "");
  const again = socket.framesOf("send")[1];
  assert.equal(again?.key, first?.key);
  assert.notEqual(again?.ref, first?.ref);
  assert.equal(roomOf(app.value, G).pending[0]?.state, "pending");
  client.stop();
});

test("typing_start at most every 2 s, typing_stop on send", () => {
  const client = newClient();
  const socket = connect(client);
  client.openRoom(G);
  joinAnswer(socket, "e1", []);
  client.typed(G, "h");
  client.typed(G, "he");
  assert.equal(socket.framesOf("typing_start").length, 1);
  client.send(G, "hey");
  assert.equal(socket.framesOf("typing_stop").length, 1);
  client.stop();
});

test("a hidden page says idle at once", () => {
  const client = newClient();
  const socket = connect(client);
  Object.assign(document, { visibilityState: "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
  assert.deepEqual(socket.framesOf("heartbeat").at(-1), { type: "heartbeat", idle: true });
  client.stop();
});

test("stop clears every timer: a send still waiting does not fail into the next session", () => {
  const client = newClient();
  const socket = connect(client);
  client.openRoom(G);
  joinAnswer(socket, "e1", []);
  client.send(G, "on its way");
  client.stop("signed_out");
  app.value = INITIAL_STATE; // what signing out does
  mock.timers.tick(60_000);
  assert.deepEqual(app.value.rooms, {});
  assert.equal(socket.framesOf("heartbeat").length, 0);
  assert.equal(FakeSocket.all.length, 1);
});

test("what is seen goes to the server as read, at most once a second per room, the latest mark", () => {
  const client = newClient();
  const socket = connect(client);
  client.openRoom(G);
  joinAnswer(socket, "e1", [1, 2]);
  client.markRead(G);
  mock.timers.tick(0);
  assert.deepEqual(
    socket.framesOf("read").map((f) => f.seq),
    [2],
  );
  for (const seq of [3, 4]) {
    socket.receive({
      type: "message",
      id: `m${seq}`,
      group: G,
      seq,
      userId: "someone",
      displayName: "Sam",
      text: `line ${seq}`,
      ts: Date.now(),
      key: `k${seq}`,
      mentions: [],
    });
    client.markRead(G);
  }
  mock.timers.tick(500);
  assert.equal(socket.framesOf("read").length, 1, "not before the second is up");
  mock.timers.tick(500);
  assert.deepEqual(
    socket.framesOf("read").map((f) => f.seq),
    [2, 4],
  );
  client.stop();
});
