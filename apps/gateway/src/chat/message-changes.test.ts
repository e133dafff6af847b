import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Message } from "@clofri/protocol";
import { activityFor } from "./room-activity.ts";
import { RoomMemory } from "./room-memory.ts";

const RETENTION = { maxMessages: 3, maxAgeMs: 60_000 };
const GROUP = "00000000-0000-4000-8000-000000000001";
const ALEX = "00000000-0000-4000-8000-00000000000a";
const SAM = "00000000-0000-4000-8000-00000000000b";

function send(memory: RoomMemory, userId: string, text: string, replyTo?: string): Message {
  const seq = memory.lastSeq + 1;
  const message: Message = {
    id: memory.messageId(seq),
    group: GROUP,
    seq,
    userId,
    displayName: userId === ALEX ? "Alex" : "Sam",
    text,
    ts: 1_000 + seq,
    key: `k${seq}`,
    mentions: [],
    reactions: {},
  };
  if (replyTo !== undefined)
    message.replyTo = memory.changes.quote(replyTo, memory.messageById(replyTo));
  memory.commitMessage(message);
  return message;
}

describe("message changes in a room's memory", () => {
  test("messageById finds retained messages by their id, across the id's carry, and not unsent ones", () => {
    const memory = new RoomMemory(
      GROUP,
      RETENTION,
      undefined,
      "12345678-9abc-4def-8123-fffffffffffe",
    );
    const first = send(memory, ALEX, "one");
    const second = send(memory, ALEX, "two"); // its id wrapped to …000000000000
    assert.equal(memory.messageById(first.id), first);
    assert.equal(memory.messageById(second.id), second);
    assert.equal(memory.messageById("12345678-9abc-4def-8123-000000000005"), undefined);
    assert.equal(memory.messageById("00000000-0000-4000-8000-000000000000"), undefined);
    memory.changes.remove(first);
    assert.equal(memory.messageById(first.id), undefined);
  });

  test("an unsent message keeps its key, says nothing, shows nowhere, and its replies' quotes say gone", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    const said = send(memory, SAM, "secret");
    const reply = send(memory, ALEX, "what", said.id);
    assert.deepEqual(reply.replyTo, {
      id: said.id,
      userId: SAM,
      displayName: "Sam",
      excerpt: "secret",
    });
    memory.changes.remove(said);
    assert.equal(said.text, "");
    assert.deepEqual(reply.replyTo, { id: said.id, gone: true });
    assert.equal(memory.ackFor(SAM, said.key)?.id, said.id);
    assert.deepEqual(
      memory.resume({}).messages.map((m) => m.id),
      [reply.id],
    );
    assert.deepEqual(activityFor(memory, ALEX).unread, 0);
    assert.equal(activityFor(memory, SAM).preview?.text, "what");
  });

  test("a quote follows an edit, and says gone once its original fades", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    const original = send(memory, SAM, "at 8");
    const reply = send(memory, ALEX, "ok", original.id);
    original.text = "at 9";
    memory.changes.edited(original);
    assert.equal((reply.replyTo as { excerpt: string }).excerpt, "at 9");
    send(memory, SAM, "x");
    send(memory, SAM, "y"); // the original falls out of the 3 kept
    assert.deepEqual(reply.replyTo, { id: original.id, gone: true });
  });

  test("unsent messages, edits, reactions and quotes travel in a snapshot", () => {
    const memory = new RoomMemory(GROUP, RETENTION);
    const gone = send(memory, SAM, "oops");
    const kept = send(memory, SAM, "kept");
    const reply = send(memory, ALEX, "re", kept.id);
    kept.reactions["👍"] = [ALEX];
    memory.changes.remove(gone);
    const copy = RoomMemory.fromSnapshot(
      JSON.parse(JSON.stringify(memory.toSnapshot(0))),
      RETENTION,
      0,
    );
    assert.deepEqual(copy.resume({}).messages, [kept, reply]);
    assert.equal(copy.messageById(gone.id), undefined);
    assert.equal(copy.ackFor(SAM, gone.key)?.id, gone.id);
    const edited = copy.messageById(kept.id);
    assert.ok(edited);
    edited.text = "kept, edited";
    copy.changes.edited(edited);
    assert.equal(
      (copy.messageById(reply.id)?.replyTo as { excerpt: string } | undefined)?.excerpt,
      "kept, edited",
    );
  });
});
