import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeRoomEvent, encodeRoomEvent, withReply } from "./envelope.ts";

const event = {
  node: "gw-1",
  incarnation: "i1",
  seq: 7,
  sentAtMs: 1_700_000_000_000,
  except: "c42",
  text: '{"type":"message","text":"two\\nlines"}',
};

test("a room event crosses NATS as its header and the frame, and a reply may ride along once", () => {
  const data = encodeRoomEvent(event);
  assert.deepEqual(decodeRoomEvent(data), { ...event, reply: undefined });
  const toAll = encodeRoomEvent({ ...event, except: "" });
  assert.deepEqual(decodeRoomEvent(toAll), { ...event, except: "", reply: undefined });
  const reply = '{"ok":false,"code":"rate_limited","message":"slow down, then send again"}';
  const carrying = withReply(data, "clofri.inbox.gw-2.1f", reply);
  assert.ok(carrying !== undefined);
  assert.deepEqual(decodeRoomEvent(carrying), {
    ...event,
    reply: { to: "clofri.inbox.gw-2.1f", text: reply },
  });
  assert.equal(withReply(carrying, "clofri.inbox.gw-3.2", reply), undefined, "one reply per event");
  // A gateway that predates the reply reads the first five fields and the same frame.
  const [node, incarnation, seq, sentAtMs, except] = carrying
    .slice(0, carrying.indexOf("\n"))
    .split(" ");
  assert.deepEqual(
    [node, incarnation, Number(seq), Number(sentAtMs), except],
    [event.node, event.incarnation, event.seq, event.sentAtMs, event.except],
  );
  assert.equal(carrying.slice(carrying.indexOf("\n") + 1), event.text);
});
