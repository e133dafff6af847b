import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol/codes";
import { INITIAL_STATE, roomOf } from "../state/app-state.ts";
import { app } from "../state/store.ts";
import { connection } from "./connection-signal.ts";
import {
  ABNORMAL_CLOSURE,
  connect,
  FakeSocket,
  G,
  hello,
  joinAnswer,
  latest,
  newClient,
  page,
  useScriptedPage,
} from "./testing/scripted-server.ts";

// The socket's life against a scripted server: connect, heartbeat, reconnect and rejoin, sign-out,
// idle, stop. What a room sends through it is in socket-client-room.test.ts.
useScriptedPage();

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
  assert.equal(page.signedOut, 1);
  mock.timers.tick(60_000);
  assert.equal(FakeSocket.all.length, 1);
});

test("a socket refused before hello asks about the session instead of looping", async () => {
  page.sessionVerdict = "invalid";
  const client = newClient();
  client.start();
  latest().drop(ABNORMAL_CLOSURE);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(page.signedOut, 1);
  mock.timers.tick(60_000);
  assert.equal(FakeSocket.all.length, 1);
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
