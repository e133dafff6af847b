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
  // The reply is a line of its own, as written: no encoding to undo.
  assert.equal(
    carrying,
    `gw-1 i1 7 1700000000000 c42 clofri.inbox.gw-2.1f\n${reply}\n${event.text}`,
  );
  const toAllCarrying = withReply(toAll, "clofri.inbox.gw-2.20", reply);
  assert.ok(toAllCarrying !== undefined);
  assert.deepEqual(decodeRoomEvent(toAllCarrying), {
    ...event,
    except: "",
    reply: { to: "clofri.inbox.gw-2.20", text: reply },
  });
  assert.equal(withReply(toAllCarrying, "clofri.inbox.gw-3.2", reply), undefined);
});

test("a room event without a whole header is not one", () => {
  assert.equal(decodeRoomEvent("gw-1 i1 7 1700000000000"), undefined, "no frame");
  assert.equal(decodeRoomEvent("gw-1 i1 7\n{}"), undefined, "fields missing");
  const replyWithoutItsLine = "gw-1 i1 7 1700000000000 c42 clofri.inbox.gw-2.1f\n{}";
  assert.equal(decodeRoomEvent(replyWithoutItsLine), undefined, "a reply subject, no reply line");
  assert.equal(withReply("gw-1 i1 7\n{}", "clofri.inbox.gw-2.1f", "{}"), undefined);
});
