// The floor the gateway is measured against: bare uWebSockets.js speaking just enough of the
// protocol for the load tester (hello, join → group_state, send → message + ack, heartbeat), with
// a stand-in `POST /admin/fixtures`. No actors, no validation, no database: JSON.parse, one
// template string per message, one `app.publish` per message.
//
//   PORT=4100 npm run bench:uws-baseline     then point `npm run loadtest` at ws://127.0.0.1:4100/ws
//
// UPGRADE=sync (default) upgrades at once; UPGRADE=async-cork and UPGRADE=async upgrade after an
// await like the gateway does, with and without `res.cork` around `res.upgrade` (see docs/BENCHMARKS.md).
//
// PUBLISH_RATE=N makes it a bare publish loop: the server itself publishes N messages/s, round
// robin over the rooms joined, PUBLISH_BURST (default 1) to a room at a time, each timed like a
// load-tester send (its text is the monotonic µs), so `npm run loadtest -- … --rate 0` measures
// deliveries with no inbound frames at all.

import uWS from "uWebSockets.js";
import { randomUUID } from "node:crypto";
import { monotonicUs } from "./loadtest-stats.ts";

interface UserData {
  userId: string;
  displayName: string;
  groups: string[];
}

const port = Number(process.env.PORT ?? 4100);
const upgradeMode = process.env.UPGRADE ?? "sync";
const tokens = new Map<string, { userId: string; displayName: string; groups: string[] }>();
const seqs = new Map<string, number>();
const app = uWS.App();

app.get("/health", (res) => {
  res.cork(() => res.end('{"status":"ok"}'));
});

app.post("/admin/fixtures", (res) => {
  const chunks: Buffer[] = [];
  res.onAborted(() => {});
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(chunk.slice(0)));
    if (!isLast) return;
    const spec = JSON.parse(Buffer.concat(chunks).toString()) as {
      users: number;
      groups: Array<{ members: number[] }>;
    };
    const users = Array.from({ length: spec.users }, (_, i) => ({
      id: randomUUID(),
      displayName: `Load user ${i}`,
      token: randomUUID(),
      groups: [] as string[],
    }));
    const groups = spec.groups.map((group) => {
      const id = randomUUID();
      for (const member of group.members) users[member]?.groups.push(id);
      return { id, members: group.members.map((m) => users[m]?.id) };
    });
    for (const user of users) {
      tokens.set(user.token, {
        userId: user.id,
        displayName: user.displayName,
        groups: user.groups,
      });
    }
    const body = JSON.stringify({
      users: users.map(({ id, displayName, token }) => ({ id, displayName, token })),
      groups,
    });
    res.cork(() => res.writeStatus("201 Created").end(body));
  });
});

app.ws<UserData>("/ws", {
  maxPayloadLength: 64 * 1024,
  idleTimeout: 32,
  maxBackpressure: 4 * 1024 * 1024,
  closeOnBackpressureLimit: 1,
  upgrade(res, req, context) {
    const token = (req.getHeader("authorization") ?? "").replace(/^Bearer /, "");
    const key = req.getHeader("sec-websocket-key");
    const protocol = req.getHeader("sec-websocket-protocol");
    const extensions = req.getHeader("sec-websocket-extensions");
    const user = tokens.get(token);
    const upgrade = () => {
      if (user === undefined) {
        res.writeStatus("401 Unauthorized").end();
        return;
      }
      res.upgrade(
        { userId: user.userId, displayName: user.displayName, groups: user.groups },
        key,
        protocol,
        extensions,
        context,
      );
    };
    if (upgradeMode === "sync") return upgrade();
    let isAborted = false;
    res.onAborted(() => {
      isAborted = true;
    });
    // Stands in for the session lookup the gateway awaits.
    setImmediate(() => {
      if (isAborted) return;
      if (upgradeMode === "async-cork") res.cork(upgrade);
      else upgrade();
    });
  },
  open(ws) {
    const user = ws.getUserData();
    ws.send(
      `{"type":"hello","user":{"id":"${user.userId}","displayName":"${user.displayName}","avatarUrl":null},"friends":[],"groups":[],"heartbeatMs":15000,"serverTime":${Date.now()}}`,
    );
    ws.subscribe(`user:${user.userId}`);
    // Like the gateway: every connection hears the presence of each of its groups.
    for (const group of user.groups) ws.subscribe(`presence:${group}`);
  },
  message(ws, message) {
    const frame = JSON.parse(Buffer.from(message).toString()) as {
      type: string;
      group?: string;
      text?: string;
      key?: string;
      ref?: string;
    };
    const user = ws.getUserData();
    switch (frame.type) {
      case "join": {
        ws.subscribe(`room:${frame.group}`);
        joinedRooms.add(`room:${frame.group}`);
        ws.send(
          `{"type":"group_state","ref":${JSON.stringify(frame.ref)},"group":"${frame.group}","epoch":"e","members":[],"messages":[],"expired":0}`,
        );
        return;
      }
      case "send": {
        const group = frame.group as string;
        const seq = (seqs.get(group) ?? 0) + 1;
        seqs.set(group, seq);
        const id = randomUUID();
        const ts = Date.now();
        const text = JSON.stringify({
          type: "message",
          group,
          id,
          seq,
          userId: user.userId,
          displayName: user.displayName,
          text: frame.text,
          ts,
          key: frame.key,
        });
        app.publish(`room:${group}`, text, false);
        if (frame.ref !== undefined) {
          ws.send(`{"type":"ack","ref":${JSON.stringify(frame.ref)},"id":"${id}","ts":${ts}}`);
        }
        return;
      }
      case "heartbeat":
        ws.send(`{"type":"heartbeat_ack","ts":${Date.now()}}`);
        return;
    }
  },
});

const PUBLISH_EVERY_MS = 5;
const publishRate = Number(process.env.PUBLISH_RATE ?? 0);
const publishBurst = Math.max(1, Number(process.env.PUBLISH_BURST ?? 1));
const joinedRooms = new Set<string>();
if (publishRate > 0) {
  let owed = 0;
  let rooms: string[] = [];
  let next = 0;
  setInterval(() => {
    if (rooms.length !== joinedRooms.size) rooms = [...joinedRooms];
    if (rooms.length === 0) return;
    owed += (publishRate * PUBLISH_EVERY_MS) / 1000;
    for (; owed >= 1; owed--) {
      const topic = rooms[Math.floor(next++ / publishBurst) % rooms.length] as string;
      app.publish(
        topic,
        `{"type":"message","group":"${topic.slice(5)}","id":"${randomUUID()}","text":"${Math.round(monotonicUs())}","ts":${Date.now()}}`,
        false,
      );
    }
  }, PUBLISH_EVERY_MS);
}

app.listen("127.0.0.1", port, (listenSocket) => {
  if (!listenSocket) {
    console.error(`cannot listen on ${port}`);
    process.exit(1);
  }
  console.log(`uWS baseline on ws://127.0.0.1:${port}/ws (upgrade: ${upgradeMode})`);
});
process.on("SIGTERM", () => process.exit(0));
